package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker that runs agents, its presence stored through one coordinator just after another coordinator's sweep read
 * the fleet as having none (the read that stranded a task), is heard by that other coordinator at once: an agent task
 * granted right after it waits for the worker, not failed {@code NO_AGENT_WORKER} on the read from before it.
 */
class AgentWorkerJoinedIT {
    private static final KbId KB = KbId.of("joined");

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final Coordinators coordinators = new Coordinators(redis);

    @AfterEach
    void stop() {
        coordinators.close();
    }

    @Test
    void shouldKeepAnAgentTaskForAnAgentWorkerThatJoinedThroughAnotherCoordinator() {
        Engine sweeping = coordinators.start(Coordinators.config("sweeping"));
        // the other coordinator's sweep does not run during the test: only the first one reads the fleet and strands
        Engine asked = coordinators.start(new EngineConfig(
                "asked",
                Duration.ofMillis(1500),
                Duration.ofSeconds(20),
                Duration.ofSeconds(3),
                Duration.ofMillis(1500),
                Duration.ofMinutes(10)));
        coordinators.register(asked, KB.value());
        await(asked.services().workers().renew("w", presence(EnumSet.of(JobKind.NOTE))));
        Job stranded = submit(asked);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> state(sweeping, stranded) == JobState.FAILED);
        assertThat(await(asked.services().jobs().get(stranded.id())).error().code())
                .isEqualTo(ErrorCodes.NO_AGENT_WORKER);

        await(asked.services().workers().renew("w", presence(WorkerPresence.EVERY_KIND)));
        Job task = submit(asked);

        Awaitility.await()
                .during(Duration.ofMillis(1500))
                .atMost(Duration.ofSeconds(3))
                .until(() -> state(sweeping, task) == JobState.QUEUED);
        Assignment taken = await(sweeping.services().jobs().poll("w", Duration.ofSeconds(5), Set.of(JobKind.AGENT)))
                .orElseThrow();
        assertThat(taken.job().id()).isEqualTo(task.id());
    }

    private static Job submit(Engine engine) {
        return await(engine.services().jobs().submit(KB, "u", new JobPayload.Agent("summarize"), Optional.empty()));
    }

    private static JobState state(Engine engine, Job job) {
        return await(engine.services().jobs().get(job.id())).state();
    }

    private static WorkerPresence presence(Set<JobKind> kinds) {
        Instant at = Instant.parse("2026-12-05T04:00:00Z");
        return new WorkerPresence("h", "v", 1, 1, false, List.of(), List.of(), at, kinds);
    }
}
