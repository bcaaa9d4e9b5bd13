package dev.kbsync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kbsync} command. */
@Command(
        name = "kbsync",
        mixinStandardHelpOptions = true,
        version = "kbsync 0.1.0",
        description = "Serializes writes to git-backed knowledge bases across servers.",
        subcommands = {
            UpCommand.class,
            DemoCommand.class,
            CoordinatorCommand.class,
            WorkerCommand.class,
            NoteCommand.class,
            AgentCommand.class,
            QueueCommand.class
        })
public final class KbsyncCli {
    private KbsyncCli() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (usage errors: 2, picocli's default). */
    public static int run(String... args) {
        return new CommandLine(KbsyncCli.class)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }
}
