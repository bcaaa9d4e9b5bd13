package dev.kbsync.worker.apply;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Runs the operator's agent command on the task (never a command from the request) in a scratch copy of the KB, and
 * applies its changes; commit message {@code Agent task: <first 50 chars>...}. Without a configured command every job
 * fails with {@code AGENT_NOT_CONFIGURED}.
 */
public final class AgentApplier implements Applier {
    private static final int MESSAGE_CHARS = 50;

    private final Optional<AgentWorkspace> workspace;

    public AgentApplier(Optional<AgentCommand> command) {
        this.workspace = command.map(AgentWorkspace::new);
    }

    @Override
    public ApplyResult apply(Path checkout, Job job, KbConfig kb) {
        return apply(checkout, job, kb, StopSignal.never(), CaseIndex.NONE);
    }

    /** An agent names its files itself: the cycle refuses one a case-insensitive file system would collide. */
    @Override
    public ApplyResult apply(Path checkout, Job job, KbConfig kb, StopSignal stop, CaseIndex names) {
        if (!(job.payload() instanceof JobPayload.Agent agent)) {
            throw new IllegalArgumentException("not an agent job: " + job.id());
        }
        if (workspace.isEmpty()) {
            return new ApplyResult.Refused(
                    "AGENT_NOT_CONFIGURED",
                    "no agent is configured on this worker; the operator sets KBSYNC_AGENT_COMMAND");
        }
        return workspace.get().run(checkout, agent.task(), message(agent.task()), stop);
    }

    static String message(String task) {
        String oneLine = task.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= MESSAGE_CHARS
                ? "Agent task: " + oneLine
                : "Agent task: " + oneLine.substring(0, MESSAGE_CHARS) + "...";
    }
}
