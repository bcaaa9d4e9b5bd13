package dev.kbsync.worker.apply;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.git.Secrets;
import dev.kbsync.git.paths.SafePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the agent in a scratch copy of the work tree without {@code .git} (a link there that leads out of the KB is a
 * plain file holding its text), then carries its creations, edits and deletions over to the checkout, all or nothing.
 */
final class AgentWorkspace {
    private static final Logger log = LoggerFactory.getLogger(AgentWorkspace.class);
    private static final int MESSAGE_OUTPUT = 500;

    private final AgentCommand command;

    AgentWorkspace(AgentCommand command) {
        this.command = command;
    }

    ApplyResult run(Path checkout, String input, String commitMessage, StopSignal stop) {
        Path dir = createTempDir();
        try {
            Path scratch = Files.createDirectory(dir.resolve("kb"));
            Map<String, String> flattened = WorkTrees.copyWithoutGit(checkout, scratch);
            AgentRun run = AgentProcess.run(command, scratch, input, dir, stop);
            if (run instanceof AgentRun.Stopped stopped) {
                return new ApplyResult.Refused(
                        stopped.stop().code(), "agent killed: " + stopped.stop().message());
            }
            if (run instanceof AgentRun.NotStarted notStarted) {
                return new ApplyResult.Refused("AGENT_NOT_STARTED", notStarted.reason());
            }
            if (run instanceof AgentRun.TooLoud tooLoud) {
                return new ApplyResult.Refused(
                        "AGENT_OUTPUT_TOO_LARGE",
                        "agent wrote more than " + tooLoud.limit() / (1024 * 1024)
                                + " MiB to its stdout and stderr and was killed: "
                                + shorten(Secrets.mask(tooLoud.output())));
            }
            if (run instanceof AgentRun.TimedOut) {
                return new ApplyResult.Refused(
                        "AGENT_TIMEOUT", "agent did not finish within " + command.timeout() + " and was killed");
            }
            AgentRun.Exited exited = (AgentRun.Exited) run;
            if (exited.code() != 0) {
                return new ApplyResult.Refused(
                        "AGENT_FAILED",
                        "agent exited with code " + exited.code() + ": " + shorten(Secrets.mask(exited.output())));
            }
            return carryOver(checkout, scratch, flattened, commitMessage, exited.answer());
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the agent's scratch copy", e);
        } finally {
            removeScratch(dir);
        }
    }

    /**
     * Removes the scratch directory; one that cannot be (a folder the agent made read-only, a process it left behind
     * still writing there) is logged and left, never the job's outcome: the agent's work is carried over or refused
     * already.
     */
    private static void removeScratch(Path dir) {
        try {
            WorkTrees.delete(dir);
        } catch (UncheckedIOException e) {
            log.warn(
                    "could not remove the agent's scratch directory {} ({}); it is left for the operator",
                    dir,
                    e.getCause() == null ? e.getMessage() : e.getCause().toString());
        }
    }

    private static ApplyResult carryOver(
            Path checkout, Path scratch, Map<String, String> flattened, String commitMessage, String answer) {
        SafePaths paths = SafePaths.of(checkout);
        TreeChanges changes = TreeChanges.between(paths.root(), scratch, flattened);
        if (changes.names() instanceof NfcNames.Taken taken) {
            return new ApplyResult.Refused(NfcNames.PATH_CASE_CONFLICT, taken.message());
        }
        try {
            changes.check(paths);
        } catch (InvalidInputException e) {
            return new ApplyResult.Refused("AGENT_UNSAFE_CHANGE", e.getMessage());
        }
        changes.applyTo(paths);
        return new ApplyResult.Changed(commitMessage, changes.changes(), answer);
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("kbsync-agent-").toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the agent's scratch directory", e);
        }
    }

    private static String shorten(String output) {
        String text = output.strip();
        return text.length() <= MESSAGE_OUTPUT ? text : "..." + text.substring(text.length() - MESSAGE_OUTPUT);
    }
}
