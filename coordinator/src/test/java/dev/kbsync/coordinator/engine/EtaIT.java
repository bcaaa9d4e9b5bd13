package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.client.codec.StringCodec;

/**
 * The ETA on the real engine (issue's case): a KB held by a 60 s raw lease, three notes and then one more queued. The
 * estimate is the lease's remaining hold (its declared TTL while no lease hold was measured), the same in the job's
 * record, its events and the queue snapshot; once a hold was measured it is used instead; a group-commit member's
 * {@code running} event carries its own fencing token.
 */
class EtaIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static CoordinatorServices services;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        Engine engine = coordinators.start(new EngineConfig(
                "c1",
                Duration.ofSeconds(2),
                Duration.ofSeconds(90),
                Duration.ofSeconds(3),
                Duration.ofMillis(1500),
                Duration.ofMillis(100)));
        coordinators.register(engine, "demo");
        services = engine.services();
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldEstimateTheHoldersRemainingHoldTheSameEverywhereThenLearnFromMeasuredHolds() {
        KbId kb = KbId.of("demo");
        services.queues().watchers().kb(kb);
        Lease holder = await(services.leases().request(kb, "bot", Duration.ofSeconds(60)));
        for (String text : List.of("a", "b", "c")) {
            await(services.jobs().submit(kb, "ann", note(text), Optional.empty()));
        }
        Job zed = await(services.jobs().submit(kb, "zed", note("my note"), Optional.empty()));
        List<Job> events = new CopyOnWriteArrayList<>();
        await(coordinators
                .node(0)
                .vertx()
                .eventBus()
                .<JobEvent>consumer(
                        QueueAddresses.job(zed.id()), m -> events.add(m.body().job()))
                .completion());

        assertThat(zed.ahead()).isEqualTo(4);
        assertThat(zed.etaMs())
                .as("a 60 s lease ahead, just granted: about 60 s (it joins the three notes' group commit)")
                .isBetween(40_000L, 60_000L); // less what it held by then: seconds on a loaded machine
        assertThat(zed.etaP90Ms()).isGreaterThan(zed.etaMs());
        Job read = await(services.jobs().get(zed.id()));
        assertThat(List.of(read.etaMs(), read.etaP90Ms()))
                .as("nothing happened since: the job's record shows the same estimate")
                .containsExactly(zed.etaMs(), zed.etaP90Ms());
        QueueEntry entry = await(services.queues().snapshot(kb)).waiters().get(3);
        assertThat(entry.jobId()).isEqualTo(zed.id());
        assertThat(List.of(entry.etaMs(), entry.etaP90Ms()))
                .as("the dashboard's snapshot too")
                .containsExactly(zed.etaMs(), zed.etaP90Ms());

        await(services.leases().release(holder.id()));
        Assignment head =
                await(services.jobs().poll("w", Duration.ofSeconds(10))).orElseThrow();
        List<Assignment> batch = await(services.jobs().extend(head.lease().id(), 15));
        assertThat(batch).extracting(a -> a.job().id()).contains(zed.id());
        assertThat(coordinators
                        .clientOf(0)
                        .getMap("kbsync:{kb:" + kb.value() + "}:stats", StringCodec.INSTANCE)
                        .get("join:n"))
                .as("the wait from the head's grant to its members taken is measured for the notes that join later")
                .isEqualTo("1");
        Assignment zedRun = batch.get(batch.size() - 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> events.stream().anyMatch(j -> j.state() == JobState.RUNNING));
        assertThat(events.stream().filter(j -> j.state() == JobState.RUNNING))
                .as("the running event of a group-commit member carries the token it runs under")
                .allSatisfy(j ->
                        assertThat(j.fencingToken()).isEqualTo(zedRun.lease().fencingToken()));
        for (Assignment member : batch) {
            await(services.jobs().complete(member.job().id(), done(member)));
        }
        await(services.jobs().complete(head.job().id(), done(head)));

        Lease short1 = await(services.leases().request(kb, "bot", Duration.ofSeconds(60)));
        Job behindMeasured = await(services.jobs().submit(kb, "zed", note("next"), Optional.empty()));
        assertThat(behindMeasured.etaMs())
                .as("one lease hold of a few seconds was measured: that, not the 60 s TTL")
                .isLessThan(20_000L);
        Job agent = await(services.jobs().submit(kb, "zed", new JobPayload.Agent("task"), Optional.empty()));
        Lease waiter = await(services.leases().request(kb, "bot2", Duration.ofSeconds(7)));
        Job mixed = await(services.jobs().submit(kb, "zed", note("after all"), Optional.empty()));
        QueueEntry mixedEntry = await(services.queues().snapshot(kb)).waiters().stream()
                .filter(e -> mixed.id().equals(e.jobId()))
                .findFirst()
                .orElseThrow();
        assertThat(List.of(mixedEntry.etaMs(), mixedEntry.etaP90Ms()))
                .as("behind a note, an agent job and a raw waiter: the submission's script and the queue view agree")
                .containsExactly(mixed.etaMs(), mixed.etaP90Ms());
        assertThat(mixed.etaMs()).isGreaterThan(behindMeasured.etaMs());
        await(services.leases().release(waiter.id()));
        await(services.leases().release(short1.id()));
        for (Job job : List.of(behindMeasured, agent, mixed)) {
            Assignment next =
                    await(services.jobs().poll("w", Duration.ofSeconds(10))).orElseThrow();
            assertThat(next.job().id()).isEqualTo(job.id());
            await(services.jobs().complete(next.job().id(), done(next)));
        }
    }

    private static JobOutcome done(Assignment a) {
        return new JobOutcome.Done(a.lease().id(), "c" + a.lease().fencingToken(), List.of(), 0);
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
