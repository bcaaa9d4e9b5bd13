package dev.kbsync.worker.run;

import dev.kbsync.git.Author;
import dev.kbsync.worker.apply.AgentApplier;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.fixture.Jobs;
import dev.kbsync.worker.fixture.Scripts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** An agent job as an unfenced unit for cycle tests: {@code body} is the shell script the agent runs in its scratch copy. */
record AgentScriptUnit(String id, Path scripts, String body) implements WorkUnit {
    @Override
    public Author author() {
        return new Author("bob", "bob@users.kbsync");
    }

    @Override
    public Map<String, String> trailers() {
        return Map.of();
    }

    @Override
    public ApplyResult apply(Path workTree, CaseIndex names) {
        AgentApplier applier =
                new AgentApplier(Optional.of(Scripts.agent(scripts, "agent-" + id, body, Duration.ofSeconds(30))));
        return applier.apply(workTree, Jobs.agent(id, "bob", "write a note"), Jobs.KB);
    }

    @Override
    public void checkBeforePush() {}
}
