package dev.kbsync.cli;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --kb} as a {@link KbId}: an invalid id is a usage error (exit 2) before any request. */
final class KbIdConverter implements ITypeConverter<KbId> {
    @Override
    public KbId convert(String value) {
        try {
            return KbId.of(value);
        } catch (InvalidInputException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
