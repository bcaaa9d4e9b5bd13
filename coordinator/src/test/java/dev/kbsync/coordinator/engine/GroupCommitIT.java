package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GroupCommitIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static JobService jobs;
    static LeaseService leases;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        Engine engine = coordinators.start(Coordinators.config("c1").withLeaseTtl(Duration.ofSeconds(3)));
        coordinators.register(engine, "contig", "max", "raw", "excl", "lost", "expiry", "ahead");
        jobs = engine.services().jobs();
        leases = engine.services().leases();
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldTakeOnlyContiguousNoteJobsBehindTheHeadWithIncreasingTokens() {
        KbId kb = KbId.of("contig");
        List<Job> queued = submit(kb, note("a"), note("b"), note("c"), new JobPayload.Agent("task"), note("e"));
        Assignment head = poll();

        List<Assignment> batch = await(jobs.extend(head.lease().id(), 16));

        assertThat(head.notesBehind())
                .as("the claim says notes wait behind the head")
                .isTrue();
        assertThat(batch).extracting(a -> a.job().id()).containsExactly(id(queued, 1), id(queued, 2));
        assertThat(batch).allSatisfy(a -> assertThat(a.job().state()).isEqualTo(JobState.RUNNING));
        assertThat(batch).allSatisfy(a -> assertThat(a.notesBehind()).isNull());
        assertThat(tokens(head, batch)).isSorted().doesNotHaveDuplicates();
        assertThat(await(jobs.extend(head.lease().id(), 16)))
                .as("a retried extend returns the same members")
                .extracting(a -> a.lease().id())
                .containsExactlyElementsOf(
                        batch.stream().map(a -> a.lease().id()).toList());
        completeAll(head, batch);
        Assignment agent = poll();
        assertThat(agent.job().id()).isEqualTo(id(queued, 3));
        assertThat(agent.notesBehind()).as("an agent job takes nothing along").isFalse();
        assertThat(await(jobs.extend(agent.lease().id(), 16)))
                .as("agent jobs run alone")
                .isEmpty();
        completeAll(agent, List.of());
        Assignment last = poll();
        assertThat(last.notesBehind()).as("nothing queued behind the last note").isFalse();
        completeAll(last, List.of());
    }

    @Test
    void shouldRespectMaxAndStopAtRawLease() {
        KbId kb = KbId.of("max");
        List<Job> queued = submit(kb, note("a"), note("b"), note("c"), note("d"));
        Assignment head = poll();
        List<Assignment> batch = await(jobs.extend(head.lease().id(), 2));
        assertThat(batch).extracting(a -> a.job().id()).containsExactly(id(queued, 1), id(queued, 2));
        completeAll(head, batch);
        completeAll(poll(), List.of());

        KbId raw = KbId.of("raw");
        submit(raw, note("a"));
        Assignment rawHead = poll();
        String waiter = await(leases.request(raw, "bot", null)).id();
        submit(raw, note("c"));
        assertThat(await(jobs.extend(rawHead.lease().id(), 16))).isEmpty();
        completeAll(rawHead, List.of());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> await(leases.get(waiter)).state() == LeaseState.GRANTED);
        await(leases.release(waiter));
        completeAll(poll(), List.of());
    }

    @Test
    void shouldNotGrantTheKbToAnyoneElseUntilEveryMemberCompleted() {
        KbId kb = KbId.of("excl");
        List<Job> queued = submit(kb, note("a"), note("b"), note("c"));
        Assignment head = poll();
        List<Assignment> batch = await(jobs.extend(head.lease().id(), 2));
        Job after = submit(kb, note("after")).get(0);

        await(jobs.complete(head.job().id(), done(head)));
        assertThat(await(leases.heartbeat(head.lease().id())).state()).isEqualTo(LeaseState.GRANTED);
        assertThat(await(jobs.poll("w", Duration.ofMillis(1000)))).isEmpty();
        await(jobs.complete(id(queued, 1), done(batch.get(0))));
        assertThat(await(leases.heartbeat(batch.get(1).lease().id())).state()).isEqualTo(LeaseState.GRANTED);
        assertThat(await(jobs.poll("w", Duration.ofMillis(1000)))).isEmpty();
        assertThat(await(leases.get(batch.get(1).lease().id())).state()).isEqualTo(LeaseState.GRANTED);
        await(jobs.complete(id(queued, 2), done(batch.get(1))));

        Assignment next = poll();
        assertThat(next.job().id()).isEqualTo(after.id());
        assertThat(next.lease().fencingToken())
                .isGreaterThan(batch.get(1).lease().fencingToken());
        assertThat(queued)
                .allSatisfy(j -> assertThat(await(jobs.get(j.id())).state()).isEqualTo(JobState.DONE));
        completeAll(next, List.of());
    }

    @Test
    void shouldRejectStaleOrUnknownLeases() {
        KbId kb = KbId.of("lost");
        List<Job> queued = submit(kb, note("a"), note("b"));
        Assignment head = poll();
        List<Assignment> batch = await(jobs.extend(head.lease().id(), 16));
        Assignment member = batch.get(0);
        String stale = "lost~" + member.job().id() + "." + (member.lease().fencingToken() + 100);

        assertLost(() -> jobs.complete(id(queued, 1), new JobOutcome.Done(stale, "c", List.of(), 0)));
        assertLost(() -> jobs.extend("lost~nobody.1", 16));
        assertLost(() -> jobs.extend(member.lease().id(), 16));
        completeAll(head, batch);
        assertLost(() -> jobs.extend(head.lease().id(), 16));
    }

    @Test
    void shouldReturnUnfinishedMembersToTheHeadInOrderWhenTheBatchExpires() {
        KbId kb = KbId.of("expiry");
        List<Job> queued = submit(kb, note("a"), note("b"), note("c"), note("d"));
        Assignment head = poll();
        List<Assignment> batch = await(jobs.extend(head.lease().id(), 16));
        await(jobs.complete(id(queued, 1), done(batch.get(0))));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> await(jobs.get(id(queued, 0))).state() == JobState.QUEUED);
        assertThat(await(jobs.get(id(queued, 1))).state()).isEqualTo(JobState.DONE);
        assertThat(await(jobs.get(id(queued, 3))).ahead()).isEqualTo(2);
        assertLost(() -> jobs.complete(id(queued, 2), done(batch.get(1))));

        Assignment again = poll();
        assertThat(again.job().id()).isEqualTo(id(queued, 0));
        assertThat(again.job().attempts()).isEqualTo(2);
        List<Assignment> rest = await(jobs.extend(again.lease().id(), 16));
        assertThat(rest).extracting(a -> a.job().id()).containsExactly(id(queued, 2), id(queued, 3));
        assertThat(again.lease().fencingToken())
                .isGreaterThan(batch.get(2).lease().fencingToken());
        assertThat(tokens(again, rest)).isSorted().doesNotHaveDuplicates();
        completeAll(again, rest);
        assertThat(await(jobs.get(id(queued, 1))).attempts()).isEqualTo(1);
    }

    @Test
    void shouldOnlyLowerPositionsOfJobsBehindTheBatch() {
        KbId kb = KbId.of("ahead");
        List<Job> queued = submit(kb, note("a"), note("b"), note("c"), note("d"), new JobPayload.Agent("x"));
        Job last = submit(kb, note("last")).get(0);
        List<Long> seen = new CopyOnWriteArrayList<>();
        coordinators.node(0).engine().services().queues().watchers().kb(kb);
        await(coordinators
                .node(0)
                .vertx()
                .eventBus()
                .<JobEvent>consumer(
                        QueueAddresses.job(last.id()),
                        m -> seen.add(m.body().job().ahead()))
                .completion());
        List<Long> memberStates = new CopyOnWriteArrayList<>();
        await(coordinators
                .node(0)
                .vertx()
                .eventBus()
                .<JobEvent>consumer(QueueAddresses.job(id(queued, 2)), m -> {
                    // Refreshes collapse: a member completed at once may go from queued straight to its final event.
                    if (m.body().job().state() != JobState.QUEUED) {
                        memberStates.add(m.body().job().ahead());
                    }
                })
                .completion());

        Assignment head = poll();
        List<Assignment> batch = await(jobs.extend(head.lease().id(), 16));
        assertThat(batch).hasSize(3);
        for (Assignment member : batch) {
            await(jobs.complete(member.job().id(), done(member)));
        }
        await(jobs.complete(head.job().id(), done(head)));
        completeAll(poll(), List.of());
        completeAll(poll(), List.of());

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(0L) && !memberStates.isEmpty());
        assertThat(seen).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(memberStates).containsOnly(0L);
    }

    private static List<Job> submit(KbId kb, JobPayload... payloads) {
        List<Job> out = new ArrayList<>();
        for (JobPayload p : payloads) {
            out.add(await(jobs.submit(kb, "ann", p, Optional.empty())));
        }
        return out;
    }

    private static String id(List<Job> queued, int index) {
        return queued.get(index).id();
    }

    private static List<Long> tokens(Assignment head, List<Assignment> batch) {
        List<Long> out = new ArrayList<>(List.of(head.lease().fencingToken()));
        batch.forEach(a -> out.add(a.lease().fencingToken()));
        return out;
    }

    /** Members first, the head last (the worker's order); the KB is free afterwards. */
    private static void completeAll(Assignment head, List<Assignment> batch) {
        for (Assignment member : batch) {
            assertThat(await(jobs.complete(member.job().id(), done(member))).state())
                    .isEqualTo(JobState.DONE);
        }
        assertThat(await(jobs.complete(head.job().id(), done(head))).state()).isEqualTo(JobState.DONE);
    }

    private static void assertLost(java.util.function.Supplier<io.vertx.core.Future<?>> call) {
        assertThatThrownBy(() -> await(call.get()))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.code()).isEqualTo("LEASE_LOST"));
    }

    private static Assignment poll() {
        return await(jobs.poll("w", Duration.ofSeconds(10))).orElseThrow();
    }

    private static JobOutcome done(Assignment assignment) {
        return new JobOutcome.Done(
                assignment.lease().id(), "c" + assignment.lease().fencingToken(), List.of(), 0);
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
