package dev.kbsync.bench;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.AsyncKbsyncClient;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.Subscription;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 4: one holder and {@code perKb} waiters on each of {@code kbs} KBs, every waiter following its lease's
 * event stream. Each round releases every KB's holder (10 ms apart) and records, per waiter still queued, the time
 * from the release call to the first event (position, or the grant) its stream delivers. A first round, with one
 * more waiter per KB, is not recorded: it runs the release-to-event path of a fresh coordinator JVM for the first
 * time (JIT), as the other scenarios' warm-up iterations do.
 */
final class PositionEvents {
    private static final long SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int WARMUP_ROUNDS = 1;
    private static final String RELEASE_ROUTE = "/v1/leases/:id";

    private final AsyncKbsyncClient api;
    private final int kbs;
    private final AtomicLongArray releasedAt;
    private final AtomicReferenceArray<String> holders;
    private final List<List<Waiter>> queues = new ArrayList<>();
    private final Stats stats = new Stats();
    private final Stats releases = new Stats();
    private final List<Stats> byRound = new ArrayList<>();
    private volatile Stats round = new Stats(); // the current round's events (the warm-up's too)
    private volatile boolean recording;
    private volatile CountDownLatch pending = new CountDownLatch(0);

    private static final class Waiter {
        final int kb;
        volatile boolean armed;
        volatile boolean granted;

        Waiter(int kb) {
            this.kb = kb;
        }
    }

    PositionEvents(AsyncKbsyncClient api, int kbs) {
        this.api = api;
        this.kbs = kbs;
        this.releasedAt = new AtomicLongArray(kbs);
        this.holders = new AtomicReferenceArray<>(kbs);
    }

    static Measurement run(BenchContext ctx, int kbs, int perKb, int rounds) throws Exception {
        try (ChildCoordinator server = ChildCoordinator.start(ctx);
                KbsyncClient api = server.client(kbs * (perKb + 2))) {
            KbsyncLeases.register(api, KbsyncLeases.names("p-", kbs));
            PositionEvents bench = new PositionEvents(api.async(), kbs);
            bench.open(perKb + WARMUP_ROUNDS);
            for (int r = 0; r < WARMUP_ROUNDS; r++) {
                bench.round(false);
            }
            ServerDurations before = ServerDurations.of(server.metrics(), "DELETE", RELEASE_ROUTE);
            long start = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                bench.round(true);
            }
            ServerDurations served = ServerDurations.of(server.metrics(), "DELETE", RELEASE_ROUTE)
                    .since(before);
            return Measurement.of(
                            "kbsync lease stream (coordinator in a child JVM), release -> event, " + kbs * perKb
                                    + " waiters / " + kbs + " KBs",
                            bench.stats,
                            bench.stats.count(),
                            System.nanoTime() - start)
                    .withNote(String.format(
                            Locale.ROOT,
                            "%d events over %d rounds after %d unrecorded; the DELETE itself: p50 %s ms, p99 %s ms"
                                    + " at the client, at the coordinator (kbsync_http_request_duration_seconds) 99%%"
                                    + " within %s ms, %d of %d over 10 ms; p99 by round (ms, the warm-up first): %s",
                            bench.stats.count(),
                            rounds,
                            WARMUP_ROUNDS,
                            Report.fmt(bench.releases.p50Ms()),
                            Report.fmt(bench.releases.p99Ms()),
                            Report.fmt(served.boundMs(0.99)),
                            served.over(10),
                            served.count(),
                            String.join(
                                    ", ",
                                    bench.byRound.stream()
                                            .map(r -> Report.fmt(r.p99Ms()))
                                            .toList())));
        }
    }

    private void open(int perKb) throws Exception {
        for (int kb = 0; kb < kbs; kb++) {
            Lease holder = lease(kb).await(30, TimeUnit.SECONDS);
            holders.set(kb, holder.id());
            List<Waiter> queue = new ArrayList<>();
            List<Future<Subscription>> opened = new ArrayList<>();
            for (int i = 0; i < perKb; i++) {
                Waiter waiter = new Waiter(kb);
                queue.add(waiter);
                opened.add(lease(kb).compose(l -> api.followLease(l.id(), event -> onEvent(waiter, event.lease()))));
            }
            Future.all(opened).await(30, TimeUnit.SECONDS);
            queues.add(queue);
        }
    }

    private Future<Lease> lease(int kb) {
        return api.requestLease(KbId.of("p-" + kb), LeaseRequest.of("p" + kb));
    }

    private void onEvent(Waiter waiter, Lease lease) {
        long now = System.nanoTime();
        if (waiter.armed) {
            waiter.armed = false;
            long took = now - releasedAt.get(waiter.kb);
            round.record(took);
            if (recording) {
                stats.record(took);
            }
            pending.countDown();
        }
        if (lease.state() == LeaseState.GRANTED && !waiter.granted) {
            waiter.granted = true;
            holders.set(waiter.kb, lease.id());
        }
    }

    private void round(boolean recorded) throws Exception {
        recording = recorded;
        round = new Stats();
        byRound.add(round);
        int expected = 0;
        for (List<Waiter> queue : queues) {
            expected += (int) queue.stream().filter(w -> !w.granted).count();
        }
        pending = new CountDownLatch(expected);
        List<Future<Lease>> released = new ArrayList<>();
        List<String> before = new ArrayList<>();
        for (int kb = 0; kb < kbs; kb++) {
            String holder = holders.get(kb);
            before.add(holder);
            long t0 = System.nanoTime();
            releasedAt.set(kb, t0);
            queues.get(kb).stream().filter(w -> !w.granted).forEach(w -> w.armed = true);
            released.add(api.release(holder).onSuccess(r -> {
                if (recorded) {
                    releases.record(System.nanoTime() - t0);
                }
            }));
            LockSupport.parkNanos(SPACING_NANOS);
        }
        Future.all(released).await(30, TimeUnit.SECONDS);
        if (!pending.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(pending.getCount() + " waiters got no event within 30 s");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int kb = 0; kb < kbs; kb++) {
            while (holders.get(kb).equals(before.get(kb))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("KB p-" + kb + " was not handed over within 30 s");
                }
                LockSupport.parkNanos(SPACING_NANOS);
            }
        }
    }
}
