package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.QueueEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.testing.FaultProxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /v1/events?job=...} and {@code ?user=...} on the real engine: one stream for many jobs (of several
 * KBs), ending once all of them ended; one stream for a user's jobs, new ones included, other users' left out.
 */
class JobStreamsApiIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of(
            "KBSYNC_LEASE_TTL_SECONDS",
            "10",
            "KBSYNC_RATE_LIMIT_SUBMISSIONS",
            "1000",
            "KBSYNC_KBS",
            "mux-a=/srv/git/a.git#main,mux-b=/srv/git/b.git#main,mux-c=/srv/git/c.git#main,"
                    + "mux-d=/srv/git/d.git#main,mux-e=/srv/git/e.git#main,mux-f=/srv/git/f.git#main,"
                    + "mux-g=/srv/git/g.git#main,mux-h=/srv/git/h.git#main,mux-lost=/srv/git/lost.git#main,"
                    + "mux-cold=/srv/git/cold.git#main,mux-cold2=/srv/git/cold2.git#main,mux-again=/srv/git/again.git#main,"
                    + "late-read=/srv/git/late.git#main"));

    /**
     * A client that leaves while its stream's first read (the job, to check the caller may see it) is under way leaves
     * nothing behind: no watch keeps the KB's events published, no keep-alive writes to the closed connection.
     */
    @Test
    void shouldLetGoOfAJobStreamWhoseClientLeftDuringItsFirstRead() throws Exception {
        Job job = api.client(CLIENT).submitNote(KbId.of("late-read"), NoteRequest.of("ann", "watched, then not"));
        api.services.lateJobRead = Duration.ofMillis(1_000);
        try {
            try (Socket socket = new Socket("127.0.0.1", api.port())) {
                socket.getOutputStream()
                        .write(("GET /v1/jobs/" + job.id() + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        + "Authorization: Bearer " + CLIENT + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                await().atMost(Duration.ofSeconds(5)).until(() -> api.services.lateJobReads.get() == 1);
            } // the client leaves while the read is held back
            Thread.sleep(1_500); // the read lands after the client left
        } finally {
            api.services.lateJobRead = Duration.ZERO;
        }

        assertThat(api.services.engine.queues().watchers().watchedKbs()).doesNotContain(KbId.of("late-read"));
    }

    @Test
    void shouldFollowManyJobsOfSeveralKbsOnOneStreamUntilAllEnded() {
        KbsyncClient client = api.client(CLIENT);
        Lease holdA = client.requestLease(KbId.of("mux-a"), LeaseRequest.of("hold-a"));
        Lease holdB = client.requestLease(KbId.of("mux-b"), LeaseRequest.of("hold-b"));
        Job a1 = client.submitNote(KbId.of("mux-a"), NoteRequest.of("ann", "a1"));
        Job a2 = client.submitNote(KbId.of("mux-a"), NoteRequest.of("ann", "a2"));
        Job b1 = client.submitNote(KbId.of("mux-b"), NoteRequest.of("ben", "b1"));

        try (EventStream<JobEvent> events = client.jobsEvents(List.of(a1.id(), a2.id(), b1.id()))) {
            Set<String> first = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                JobEvent e = events.next(WAIT);
                assertThat(e).isInstanceOf(JobEvent.State.class);
                assertThat(e.job().state()).isEqualTo(JobState.QUEUED);
                first.add(e.job().id());
            }
            assertThat(first).containsExactlyInAnyOrder(a1.id(), a2.id(), b1.id());

            client.cancel(a1.id());
            until(events, a1.id(), e -> e.job().state() == JobState.CANCELLED);
            until(events, a2.id(), e -> e.job().ahead() == 1);

            client.cancel(b1.id());
            until(events, b1.id(), e -> e.job().state() == JobState.CANCELLED);
            client.cancel(a2.id());
            until(events, a2.id(), e -> e.job().state() == JobState.CANCELLED);
            assertThat(events.hasNext())
                    .as("the stream ends once every job ended")
                    .isFalse();
        }
        client.release(holdA.id());
        client.release(holdB.id());
    }

    @Test
    void shouldFollowAJournalJobsIdRestoredOntoItsKeysFirstJobOnAManyJobStream() {
        KbsyncClient client = api.client(CLIENT);
        Lease hold = client.requestLease(KbId.of("mux-h"), LeaseRequest.of("hold-h"));
        // stored in Redis but answered late; its retry during an outage got a 202 from a journal under its own id
        Job first = client.submitNote(KbId.of("mux-h"), new NoteRequest("ann", "late", null, null, "alias-k"));
        Job journaled = Job.queued(
                dev.kbsync.coordinator.engine.ticket.JobRef.create(KbId.of("mux-h"))
                        .id(),
                KbId.of("mux-h"),
                "ann",
                new dev.kbsync.api.JobPayload.Note("late", null, null),
                java.time.Instant.now());
        api.services
                .engine
                .jobs()
                .restore(
                        journaled,
                        java.util.Optional.of("alias-k"),
                        "",
                        dev.kbsync.coordinator.service.Restoration.queued())
                .await();

        try (EventStream<JobEvent> events = client.jobsEvents(List.of(journaled.id()))) {
            JobEvent current = events.next(WAIT);
            assertThat(current.job().id()).as("the job carrying its request").isEqualTo(first.id());
            client.cancel(journaled.id());
            until(events, first.id(), e -> e.job().state() == JobState.CANCELLED);
            assertThat(events.hasNext()).as("the stream ends with that job").isFalse();
        }
        client.release(hold.id());
    }

    @Test
    void shouldFollowAUsersJobsIncludingNewOnesAndNoOneElses() {
        KbsyncClient client = api.client(CLIENT);
        Lease hold = client.requestLease(KbId.of("mux-c"), LeaseRequest.of("hold-c"));
        Job before = client.submitNote(KbId.of("mux-c"), NoteRequest.of("uma", "before the stream"));

        try (EventStream<JobEvent> events = client.userJobEvents("uma")) {
            JobEvent open = events.next(WAIT);
            assertThat(open.job().id()).isEqualTo(before.id());
            assertThat(open.job().state()).isEqualTo(JobState.QUEUED);

            client.submitNote(KbId.of("mux-c"), NoteRequest.of("vic", "someone else's"));
            Job later = client.submitNote(KbId.of("mux-a"), NoteRequest.of("uma", "after, another KB"));
            seen.clear();
            until(events, later.id(), e -> true);

            client.cancel(before.id());
            until(events, before.id(), e -> e.job().state() == JobState.CANCELLED);
            assertThat(seen)
                    .as("other users' jobs are left out")
                    .allMatch(e -> e.job().user().equals("uma"));
            client.cancel(later.id());
        }
        client.release(hold.id());
    }

    @Test
    void shouldEndAStreamOnOneCoordinatorWhenAnotherRanTheJobOrTheLeaseToItsEnd() throws Exception {
        Coordinator other = api.another(Map.of("KBSYNC_COORDINATOR_ID", "streams-2"));
        try {
            KbsyncClient here = api.client(CLIENT);
            KbsyncClient worker = api.client(other.port(), WORKER);
            KbsyncClient there = api.client(other.port(), CLIENT);
            Thread.sleep(1500); // the coordinators have heard each other's presence

            Job job = here.submitNote(KbId.of("mux-d"), NoteRequest.of("ola", "run elsewhere"));
            Assignment assignment = claim(worker, "elsewhere", job);
            try (EventStream<JobEvent> events = here.jobEvents(job.id())) {
                assertThat(events.next(WAIT).job().state()).isEqualTo(JobState.RUNNING);
                worker.reportResult(
                        job.id(),
                        new JobOutcome.Done(
                                assignment.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
                JobEvent last = finalEvent(events);
                assertThat(last.job().state())
                        .as("the final event of a job another coordinator ended")
                        .isEqualTo(JobState.DONE);
                assertThat(events.hasNext()).isFalse();
            }

            Lease lease = there.requestLease(KbId.of("mux-e"), LeaseRequest.of("elsewhere"));
            assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);
            try (EventStream<LeaseEvent> events = here.leaseEvents(lease.id())) {
                assertThat(events.next(WAIT).lease().state()).isEqualTo(LeaseState.GRANTED);
                there.release(lease.id());
                assertThat(finalEvent(events).lease().state())
                        .as("the final event of a lease another coordinator ended")
                        .isEqualTo(LeaseState.RELEASED);
            }
        } finally {
            other.stop().await();
        }
    }

    @Test
    void shouldTellAStreamOpenedOnAnUnwatchedKbThatItsJobRunsNow() {
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        Job job = client.submitNote(KbId.of("mux-f"), NoteRequest.of("ida", "granted at once, not claimed yet"));
        try (EventStream<JobEvent> events = client.jobEvents(job.id())) {
            assertThat(events.next(WAIT).job().state()).isEqualTo(JobState.QUEUED);
            Assignment assignment = claim(worker, "claimer", job);

            assertThat(events.next(WAIT).job().state())
                    .as("its claim, the first change of the KB since the stream watches it")
                    .isEqualTo(JobState.RUNNING);
            worker.reportResult(
                    job.id(),
                    new JobOutcome.Done(
                            assignment.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
            assertThat(finalEvent(events).job().state()).isEqualTo(JobState.DONE);
        }
    }

    @Test
    void shouldTellALeaseStreamItsGrantMadeByAnotherCoordinatorOnAKbItDidNotWatch() throws Exception {
        Coordinator other = api.another(Map.of("KBSYNC_COORDINATOR_ID", "streams-3"));
        try {
            KbsyncClient here = api.client(CLIENT);
            KbsyncClient there = api.client(other.port(), CLIENT);
            Lease holder = there.requestLease(KbId.of("mux-g"), LeaseRequest.of("holder"));
            Lease waiter = there.requestLease(KbId.of("mux-g"), LeaseRequest.of("waiter"));
            assertThat(waiter.state()).isEqualTo(LeaseState.WAITING);
            try (EventStream<LeaseEvent> events = here.leaseEvents(waiter.id())) {
                assertThat(events.next(WAIT).lease().state()).isEqualTo(LeaseState.WAITING);

                there.release(holder.id());

                assertThat(afterWaiting(events).lease().state())
                        .as("granted by the other coordinator's release")
                        .isEqualTo(LeaseState.GRANTED);
                there.release(waiter.id());
            }
        } finally {
            other.stop().await();
        }
    }

    /**
     * Pub/sub between coordinators delivers at most once: a grant whose announcement never reached this coordinator
     * (a coordinator that had not heard it yet, a message lost) still reaches the waiter's stream here, from the sweep,
     * which sees the KB's grant differ from the one its streams were last told of.
     */
    @Test
    void shouldTellALeaseStreamItsGrantWhoseAnnouncementWasLost() throws Exception {
        lostGrantReachesTheStream(KbId.of("mux-lost"), true);
    }

    /**
     * The same on a KB whose queue this coordinator never published (nothing changed there since the stream began):
     * the sweep compares the KB with what the stream was first told.
     */
    @Test
    void shouldTellALeaseStreamItsGrantWhoseAnnouncementWasLostOnAKbWithNoViewPublishedHere() throws Exception {
        lostGrantReachesTheStream(KbId.of("mux-cold"), false);
    }

    /** A waiter's stream, then its grant by a step nobody announces; {@code viewFirst}: a join behind it first. */
    private static void lostGrantReachesTheStream(KbId kb, boolean viewFirst) throws Exception {
        KbsyncClient here = api.client(CLIENT);
        Lease holder = here.requestLease(kb, LeaseRequest.of("holder"));
        Lease waiter = here.requestLease(kb, LeaseRequest.of("waiter"));
        assertThat(waiter.state()).isEqualTo(LeaseState.WAITING);
        Optional<Lease> last = Optional.empty();
        try (EventStream<LeaseEvent> events = here.leaseEvents(waiter.id())) {
            assertThat(events.next(WAIT).lease().state()).isEqualTo(LeaseState.WAITING);
            if (viewFirst) {
                last = Optional.of(here.requestLease(kb, LeaseRequest.of("last"))); // joins behind: no event for it
                Thread.sleep(500); // the view that join published here is the streams' latest
            }

            releaseUnannounced(holder.id());

            assertThat(afterWaiting(events).lease().state())
                    .as("granted by a step whose announcement nobody heard")
                    .isEqualTo(LeaseState.GRANTED);
            here.release(waiter.id());
            last.ifPresent(lease -> here.release(lease.id()));
        }
    }

    /** Releases {@code leaseId} by a step run straight on Redis: no coordinator announces the change. */
    private static void releaseUnannounced(String leaseId) throws Exception {
        api.silentTickets()
                .release(
                        LeaseRef.of(leaseId)
                                .toCompletionStage()
                                .toCompletableFuture()
                                .get(),
                        "")
                .toCompletionStage()
                .toCompletableFuture()
                .get();
    }

    /** A job stream likewise learns its new place when the holder ahead of it left unannounced. */
    @Test
    void shouldTellAJobStreamItsNewPlaceWhenTheHolderAheadLeftUnannouncedOnAKbWithNoViewPublishedHere()
            throws Exception {
        KbsyncClient here = api.client(CLIENT);
        Lease holder = here.requestLease(KbId.of("mux-cold2"), LeaseRequest.of("holder"));
        Job job = here.submitNote(KbId.of("mux-cold2"), NoteRequest.of("ida", "waits behind a raw lease"));
        try (EventStream<JobEvent> events = here.jobEvents(job.id())) {
            Job first = events.next(WAIT).job();
            assertThat(first.state()).isEqualTo(JobState.QUEUED);
            assertThat(first.ahead()).isEqualTo(1);

            releaseUnannounced(holder.id());

            assertThat(events.next(WAIT).job().ahead())
                    .as("nobody ahead any more, though nobody announced it")
                    .isEqualTo(0);
            here.cancel(job.id());
        }
    }

    /**
     * A KB whose queue emptied and whose last stream closed keeps nothing here of the view published then: a stream
     * opened later hears what changed since its first state, each change as what it is (a job's claim as a state event).
     */
    @Test
    void shouldNotTellALaterStreamItsFirstStateAgainAfterTheQueueEmptiedAndItsStreamsClosed() throws Exception {
        KbId kb = KbId.of("mux-again");
        KbsyncClient here = api.client(CLIENT);
        try (EventStream<QueueEvent> queue = here.queueEvents(kb)) {
            queue.next(WAIT);
            Lease first = here.requestLease(kb, LeaseRequest.of("first"));
            here.release(first.id());
            SnapshotEvent empty = (SnapshotEvent) queue.next(WAIT);
            while (!empty.snapshot().waiters().isEmpty()
                    || empty.snapshot().holder().isPresent()) {
                empty = (SnapshotEvent) queue.next(WAIT);
            }
        }
        KbsyncClient worker = api.client(WORKER);
        Job job = here.submitNote(kb, NoteRequest.of("ida", "granted at once, not claimed yet"));
        try (EventStream<JobEvent> events = here.jobEvents(job.id())) {
            assertThat(events.next(WAIT).job().state()).isEqualTo(JobState.QUEUED);
            Assignment assignment = claim(worker, "again", job);

            JobEvent running = events.next(WAIT);
            assertThat(running.job().state()).isEqualTo(JobState.RUNNING);
            assertThat(running)
                    .as("a change of state is a state event, measured against what the stream was told")
                    .isInstanceOf(JobEvent.State.class);
            worker.reportResult(job.id(), new JobOutcome.Done(assignment.lease().id(), null, List.of(), 0));
            assertThat(finalEvent(events).job().state()).isEqualTo(JobState.DONE);
        }
    }

    /** The same for a waiter ahead that left without an announcement: the stream behind it learns its new place. */
    @Test
    void shouldTellALeaseStreamItsNewPlaceWhenAWaiterAheadLeftUnannounced() throws Exception {
        KbsyncClient here = api.client(CLIENT);
        Lease holder = here.requestLease(KbId.of("mux-lost"), LeaseRequest.of("holder-2"));
        Lease ahead = here.requestLease(KbId.of("mux-lost"), LeaseRequest.of("ahead"));
        Lease behind = here.requestLease(KbId.of("mux-lost"), LeaseRequest.of("behind"));
        Lease last;
        try (EventStream<LeaseEvent> events = here.leaseEvents(behind.id())) {
            long before = events.next(WAIT).lease().ahead();
            last = here.requestLease(KbId.of("mux-lost"), LeaseRequest.of("last")); // joins behind: no event for it
            Thread.sleep(500); // the view that join published here is the streams' latest

            releaseUnannounced(ahead.id());

            assertThat(events.next(WAIT).lease().ahead())
                    .as("one waiter fewer ahead, though nobody announced it")
                    .isEqualTo(before - 1);
            here.release(last.id());
        } finally {
            here.release(behind.id());
            here.release(holder.id());
        }
    }

    @Test
    void shouldTellAStreamItsJobsEndThatAnotherCoordinatorPublishedWhileItsSubscriptionWasDown() throws Exception {
        try (FaultProxy proxy = FaultProxy.to(api.redis.port())) {
            Coordinator cut =
                    api.another(Map.of("KBSYNC_COORDINATOR_ID", "streams-cut", "KBSYNC_REDIS_ADDRESS", proxy.uri()));
            try {
                KbsyncClient here = api.client(cut.port(), CLIENT);
                KbsyncClient worker = api.client(WORKER); // on the fixture's own coordinator
                Thread.sleep(1500); // the coordinators have heard each other's presence
                Job job = here.submitNote(KbId.of("mux-h"), NoteRequest.of("pia", "ended elsewhere"));
                Assignment assignment = claim(worker, "elsewhere", job);
                try (EventStream<JobEvent> events = here.jobEvents(job.id())) {
                    assertThat(events.next(WAIT).job().state()).isEqualTo(JobState.RUNNING);

                    proxy.cutFor(Duration.ofSeconds(2)); // its Redis connections, the subscription among them
                    worker.reportResult(
                            job.id(),
                            new JobOutcome.Done(
                                    assignment.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));

                    assertThat(finalEvent(events).job().state())
                            .as("the end published while its subscription was down, caught up once it is back")
                            .isEqualTo(JobState.DONE);
                }
            } finally {
                cut.stop().await();
            }
        }
    }

    @Test
    void shouldRefuseBadJobListsAndUnknownJobs() {
        String many = IntStream.range(0, 101).mapToObj(i -> "mux-a~" + i).collect(Collectors.joining(","));
        assertError(api.call(GET, "/v1/events?job=" + many, CLIENT), 400, "TOO_MANY_JOBS");
        assertError(api.call(GET, "/v1/events?job=a,,b", CLIENT), 400, "INVALID_JOB_ID");
        assertError(api.call(GET, "/v1/events?job=mux-a~nope", CLIENT), 404, "JOB_NOT_FOUND");
        assertError(api.call(GET, "/v1/events?job=x&user=y", CLIENT), 400, "INVALID_PARAMETER");
        assertError(api.call(GET, "/v1/events?kb=demo", CLIENT), 400, "UNKNOWN_PARAMETER"); // not a filter: refused
        assertError(api.call(GET, "/v1/events?user=uma&users=x", CLIENT), 400, "UNKNOWN_PARAMETER");
        assertError(api.call(GET, "/v1/events?user=a%20b", CLIENT), 400, "INVALID_USER");
        assertError(api.call(GET, "/v1/events?user=uma", null), 401, "UNAUTHENTICATED");
    }

    /** The stream's final event (a refresh may first repeat the state the stream began with, as a position). */
    /** {@code job}'s assignment, polled by {@code workerId}; other tests' jobs left queued are reported done. */
    private static Assignment claim(KbsyncClient worker, String workerId, Job job) {
        Assignment assignment = worker.poll(workerId, WAIT).orElseThrow();
        while (!assignment.job().id().equals(job.id())) {
            worker.reportResult(
                    assignment.job().id(),
                    new JobOutcome.Done(assignment.lease().id(), null, List.of(), 0));
            assignment = worker.poll(workerId, WAIT).orElseThrow();
        }
        return assignment;
    }

    /**
     * The first event that is not {@code WAITING}: a stream may repeat the waiting view it sent (the first watch of a KB
     * reads its queue while the stream reads its first state, and nothing is held back from a stream not yet told it).
     */
    private static LeaseEvent afterWaiting(EventStream<LeaseEvent> events) {
        for (int i = 0; i < 20; i++) {
            LeaseEvent event = events.next(WAIT);
            if (event.lease().state() != LeaseState.WAITING) {
                return event;
            }
        }
        throw new AssertionError("20 waiting events in a row");
    }

    private static <E extends KbsyncEvent> E finalEvent(EventStream<E> events) {
        E event = events.next(WAIT);
        while (!event.last()) {
            event = events.next(WAIT);
        }
        return event;
    }

    /** Every event {@link #until} read. */
    private final List<JobEvent> seen = new ArrayList<>();

    /**
     * Reads events until one of {@code jobId} fits {@code wanted} (a stream may repeat a position it sent, e.g. when
     * the first watch of a KB reads its queue). Events of different jobs may come in any order, so one read while
     * waiting for another job counts too.
     */
    private JobEvent until(EventStream<JobEvent> events, String jobId, Predicate<JobEvent> wanted) {
        for (JobEvent e : seen) {
            if (e.job().id().equals(jobId) && wanted.test(e)) {
                return e;
            }
        }
        for (int i = 0; i < 20; i++) {
            JobEvent e = events.next(WAIT);
            seen.add(e);
            if (e.job().id().equals(jobId) && wanted.test(e)) {
                return e;
            }
        }
        throw new AssertionError("no such event of " + jobId + " in " + seen);
    }
}
