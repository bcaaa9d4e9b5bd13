package dev.kbsync.cli;

import dev.kbsync.api.AgentTaskRequest;
import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.client.KbsyncClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kbsync agent --kb team --user alice "task"}. */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        description = "Run a task with the operator's agent on a KB and wait for the result.")
final class AgentCommand extends SubmitCommand {
    @Parameters(index = "0", description = "The task for the agent.")
    String task;

    @Override
    Job submit(KbsyncClient api, KbId kb) {
        return api.submitAgentTask(kb, AgentTaskRequest.of(user, task).withIdempotencyKey(idempotencyKey));
    }
}
