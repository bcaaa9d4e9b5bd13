package dev.kbsync.worker.apply;

import dev.kbsync.api.Job;
import dev.kbsync.worker.fixture.Jobs;
import dev.kbsync.worker.fixture.Scripts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

class AgentApplierContractTest extends ApplierContract {
    private static final String AGENT = """
            task=$(cat)
            if [[ "$task" == *ESCAPE* ]]; then ln -s /tmp outside; exit 0; fi
            mkdir -p notes
            printf '%s\\n' "$task" > notes/from-agent.md
            echo "edited by agent" >> README.md
            """;

    @Override
    Applier applier(Path scripts) {
        return new AgentApplier(Optional.of(Scripts.agent(scripts, "agent", AGENT, Duration.ofSeconds(30))));
    }

    @Override
    Job changingJob(String marker) {
        return Jobs.agent("job-" + marker, "bob", "summarize " + marker);
    }

    @Override
    Job escapingJob() {
        return Jobs.agent("job-escape", "bob", "ESCAPE please");
    }
}
