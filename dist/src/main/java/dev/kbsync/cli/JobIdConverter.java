package dev.kbsync.cli;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.OpaqueId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A job id argument: a malformed one (empty, a slash) is a usage error (exit 2) before any request. */
final class JobIdConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        try {
            return OpaqueId.check("INVALID_JOB_ID", "a job id", value);
        } catch (InvalidInputException e) {
            throw new TypeConversionException(e.getMessage() + " (as `kbsync note --no-wait` prints it)");
        }
    }
}
