package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Position events per stream: the first at once, a burst within the window as its latest, states never held. The
 * window here is 1 s, not the streams' 5 ms, so that a loaded machine cannot stretch a burst over it; the tests, which
 * mostly wait out windows, run side by side (each feeds a coalescer of its own).
 */
@Execution(ExecutionMode.CONCURRENT)
class CoalescerTest {
    private static final long WINDOW_MS = 1000;

    private static Vertx vertx;
    private final List<String> sent = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void shouldSendTheFirstPositionAtOnceAndOnlyTheLatestOfABurst() throws Exception {
        Coalescer coalescer = onContext(c -> {
            c.offer(position("a", 5));
            c.offer(position("a", 4));
            c.offer(position("b", 9));
            c.offer(position("a", 3));
            c.offer(position("b", 8));
        });
        assertThat(sent).containsExactly("position a 5");

        awaitSent(3);
        assertThat(sent).containsExactly("position a 5", "position a 3", "position b 8");
        Thread.sleep(WINDOW_MS / 2);
        assertThat(sent).hasSize(3);
        coalescer.close();
    }

    @Test
    void shouldSendStatesAtOnceDroppingTheirSubjectsWaitingPosition() throws Exception {
        Coalescer coalescer = onContext(c -> {
            c.offer(position("a", 2));
            c.offer(position("a", 1));
            c.offer(position("b", 7));
            c.offer(new LeaseEvent.State(lease("a", LeaseState.GRANTED, 0)));
        });
        assertThat(sent).containsExactly("position a 2", "state a 0");

        awaitSent(3);
        Thread.sleep(WINDOW_MS / 2);
        assertThat(sent).containsExactly("position a 2", "state a 0", "position b 7");
        coalescer.close();
    }

    @Test
    void shouldDropAPositionOlderThanWhatItsSubjectLastShowed() throws Exception {
        Coalescer coalescer = onContext(c -> {
            c.offer(new LeaseEvent.State(lease("a", LeaseState.WAITING, 2))); // a stream's first read
            c.offer(position("a", 3)); // an event from before that read
            c.offer(new LeaseEvent.State(lease("b", LeaseState.GRANTED, 0)));
            c.offer(position("b", 1)); // its last move before the grant
            c.offer(position("a", 1)); // a move after the read: at once, as the first position of the window
        });
        assertThat(sent).containsExactly("state a 2", "state b 0", "position a 1");

        Thread.sleep(2 * WINDOW_MS);
        assertThat(sent).containsExactly("state a 2", "state b 0", "position a 1");
        coalescer.close();
    }

    @Test
    void shouldShowAPositionInALaterStateThanItsSubjectLastShowed() throws Exception {
        Coalescer coalescer = onContext(c -> {
            c.offer(new LeaseEvent.State(lease("a", LeaseState.WAITING, 1))); // a stream's first read
            // a coordinator's first refresh of a KB it did not watch: the grant comes as a position
            c.offer(new LeaseEvent.Position(lease("a", LeaseState.GRANTED, 0)));
            c.offer(position("a", 1)); // and a stale one after it
        });
        awaitSent(2);
        Thread.sleep(2 * WINDOW_MS);
        assertThat(sent).containsExactly("state a 1", "position a 0");
        coalescer.close();
    }

    @Test
    void shouldDropAPositionThatShowsNothingNew() throws Exception {
        Coalescer coalescer = onContext(c -> {
            c.offer(new LeaseEvent.State(lease("a", LeaseState.WAITING, 2))); // a stream's first read
            c.offer(position("a", 2)); // a coordinator's first refresh of a KB it did not watch: the same place
        });
        Thread.sleep(2 * WINDOW_MS);
        assertThat(sent).containsExactly("state a 2");
        coalescer.close();
    }

    @Test
    void shouldShowAJobsPositionWhoseEstimateChangedInTheSamePlace() throws Exception {
        Job queued = Job.queued("j", KbId.of("demo"), "u", new JobPayload.Note("t", null, null), Instant.now());
        List<String> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();
        Context context = vertx.getOrCreateContext();
        Coalescer coalescer = new Coalescer(vertx, WINDOW_MS, e -> {
            Job job = ((JobEvent) e).job();
            jobs.add(e.name() + " " + job.ahead() + " " + job.etaMs());
        });
        context.executeBlocking(() -> null)
                .compose(v -> {
                    coalescer.offer(new JobEvent.State(queued.at(JobState.QUEUED, 1, 4000, 8000)));
                    coalescer.offer(new JobEvent.Position(queued.at(JobState.QUEUED, 1, 4000, 8000))); // nothing new
                    coalescer.offer(new JobEvent.Position(queued.at(JobState.QUEUED, 1, 2500, 5000))); // a new ETA
                    return io.vertx.core.Future.succeededFuture();
                })
                .await(5, TimeUnit.SECONDS);
        Thread.sleep(2 * WINDOW_MS);
        assertThat(jobs).containsExactly("state 1 4000", "position 1 2500");
        coalescer.close();
    }

    @Test
    void shouldCoalesceDoingEventsAsPositionsAndDropOneThatSaysNothingNew() throws Exception {
        Job running = Job.queued("j", KbId.of("demo"), "u", new JobPayload.Note("t", null, null), Instant.now())
                .at(JobState.RUNNING, 0, 0, 0)
                .withDoing("syncing");
        List<String> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();
        Context context = vertx.getOrCreateContext();
        Coalescer coalescer = new Coalescer(
                vertx,
                WINDOW_MS,
                e -> jobs.add(e.name() + " " + ((JobEvent) e).job().doing()));
        context.executeBlocking(() -> null)
                .compose(v -> {
                    coalescer.offer(new JobEvent.State(running)); // a stream's first read
                    coalescer.offer(new JobEvent.Doing(running)); // what it showed already
                    coalescer.offer(new JobEvent.Doing(running.withDoing("writing the note")));
                    coalescer.offer(new JobEvent.Doing(running.withDoing("committing"))); // within the window
                    coalescer.offer(new JobEvent.Doing(running.withDoing("in the push"))); // the latest of the burst
                    return io.vertx.core.Future.succeededFuture();
                })
                .await(5, TimeUnit.SECONDS);
        Thread.sleep(2 * WINDOW_MS);
        assertThat(jobs).containsExactly("state syncing", "doing writing the note", "doing in the push");
        coalescer.close();
    }

    @Test
    void shouldDropWaitingPositionsWhenClosed() throws Exception {
        onContext(c -> {
            c.offer(position("a", 2));
            c.offer(position("a", 1));
            c.close();
        });
        Thread.sleep(2 * WINDOW_MS);
        assertThat(sent).containsExactly("position a 2");
    }

    /** A coalescer into {@link #sent}, fed by {@code feed} on a context (as a stream is). */
    private Coalescer onContext(java.util.function.Consumer<Coalescer> feed) throws Exception {
        Context context = vertx.getOrCreateContext();
        Coalescer coalescer = new Coalescer(vertx, WINDOW_MS, this::record);
        context.executeBlocking(() -> null)
                .compose(v -> {
                    feed.accept(coalescer);
                    return io.vertx.core.Future.succeededFuture();
                })
                .await(5, TimeUnit.SECONDS);
        return coalescer;
    }

    private void record(KbsyncEvent event) {
        Lease lease = ((LeaseEvent) event).lease();
        sent.add(event.name() + " " + lease.id() + " " + lease.ahead());
    }

    private void awaitSent(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sent.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    private static LeaseEvent position(String id, long ahead) {
        return new LeaseEvent.Position(lease(id, LeaseState.WAITING, ahead));
    }

    private static Lease lease(String id, LeaseState state, long ahead) {
        return new Lease(id, KbId.of("demo"), "h", state, ahead, null, null, null, null, null, 1000);
    }
}
