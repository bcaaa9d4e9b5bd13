package dev.kbsync.cli;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.cli.log.LogSetup;
import dev.kbsync.cli.stack.StartFailure;
import dev.kbsync.config.ConfigException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What a failed command prints: one {@code error: ...} line on stderr and a distinct exit code ({@link ExitCodes}),
 * never a stack trace. Expected failures say what to do; an unexpected one is logged with its stack trace (in the
 * log file, or on stderr with {@code --verbose}) and exits {@link ExitCodes#INTERNAL}.
 */
final class Errors implements IParameterExceptionHandler, IExecutionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(Errors.class);

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        String suggestion =
                e instanceof UnmatchedArgumentException unmatched ? suggest(unmatched.getSuggestions()) : "";
        e.getCommandLine()
                .getErr()
                .println("error: " + e.getMessage() + suggestion + " (see '" + command + " --help')");
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
        if (e instanceof StartFailure failure) {
            log.info(
                    "{} did not start ({}): {}; cause: {}",
                    command.getCommandName(),
                    failure.reason(),
                    failure.getMessage(),
                    String.valueOf(failure.getCause()));
            command.getErr().println("error: " + failure.getMessage());
            return ExitCodes.of(failure.reason());
        }
        if (e instanceof KbsyncException failure) {
            return ExitCodes.failed(failure);
        }
        if (e instanceof InvalidInputException invalid) {
            command.getErr().println("error: " + invalid.code() + ": " + invalid.getMessage());
            return ExitCodes.USAGE;
        }
        if (e instanceof ConfigException bad) { // a value read as a part starts (kbsync up's shutdown settings)
            command.getErr().println("error: bad configuration: " + bad.getMessage());
            return ExitCodes.USAGE;
        }
        log.error("{} failed unexpectedly", command.getCommandSpec().qualifiedName(), e);
        command.getErr().println("error: unexpected failure: " + e + details(command));
        return ExitCodes.INTERNAL;
    }

    /**
     * Where the stack trace is: the log file, else {@code --verbose} for a command that has it (its log lines are off
     * the console), else the log lines on stderr (the other commands keep them there).
     */
    private static String details(CommandLine command) {
        return LogSetup.file()
                .map(file -> " (details in " + file + ")")
                .orElse(
                        command.getCommandSpec().findOption("--verbose") != null
                                ? " (run again with --verbose for details)"
                                : " (details in the log line above)");
    }

    private static String suggest(List<String> suggestions) {
        return suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?";
    }
}
