package dev.kbsync.cli;

import io.vertx.core.json.JsonObject;
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
    String endpoint() {
        return "agent-tasks";
    }

    @Override
    JsonObject body() {
        return new JsonObject().put("user", user).put("task", task);
    }
}
