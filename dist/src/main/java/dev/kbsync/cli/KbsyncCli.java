package dev.kbsync.cli;

import dev.kbsync.cli.log.LogLevels;
import dev.kbsync.cli.log.LogSetup;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kbsync} command. */
@Command(
        name = "kbsync",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Serializes writes to git-backed knowledge bases across servers.",
        subcommands = {
            UpCommand.class,
            DemoCommand.class,
            DoctorCommand.class,
            CoordinatorCommand.class,
            WorkerCommand.class,
            NoteCommand.class,
            AgentCommand.class,
            QueueCommand.class,
            JobsCommand.class,
            CancelCommand.class,
            RetryCommand.class,
            WorkersCommand.class,
            AdminCommand.class,
            CompletionCommand.class
        })
public final class KbsyncCli {
    private KbsyncCli() {}

    public static void main(String[] args) {
        LogSetup.enable();
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code ({@link ExitCodes}; a usage error is 2). */
    public static int run(String... args) {
        Optional<String> badLevel = LogLevels.problem(System.getenv());
        if (badLevel.isPresent()) { // before any command logs at a level nobody asked for
            System.err.println("error: " + badLevel.get());
            return ExitCodes.USAGE;
        }
        Errors errors = new Errors();
        return new CommandLine(KbsyncCli.class)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors)
                .execute(args);
    }
}
