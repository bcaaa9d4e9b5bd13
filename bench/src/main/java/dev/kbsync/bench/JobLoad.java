package dev.kbsync.bench;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load on the engine path over HTTP, spread over the coordinators {@code clients} reach: notes submitted to
 * {@code kbs} round robin by a few submitter threads, run by simulated workers (poll, then report {@code done} with a
 * made-up commit, no git), or raw leases taken and released; counts every HTTP request sent.
 */
final class JobLoad {
    static final String USER = "capacity";
    private static final Duration POLL_WAIT = Duration.ofMillis(500);

    /** {@code ops} jobs or grants in {@code seconds}, with {@code requests} HTTP requests (polls among them). */
    record Result(long ops, long requests, long polls, double seconds) {
        double perSecond() {
            return ops / seconds;
        }
    }

    private final List<KbsyncClient> clients;
    private final List<String> kbs;

    JobLoad(List<KbsyncClient> clients, List<String> kbs) {
        this.clients = List.copyOf(clients);
        this.kbs = List.copyOf(kbs);
    }

    /** Submits {@code jobs} notes (threads: {@code submitters}) and has {@code workers} simulated workers run them. */
    Result jobs(int jobs, int submitters, int workers, String tag) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicLong polls = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(submitters + workers);
        long start = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int s = 0; s < submitters; s++) {
                all.add(pool.submit(() -> submit(jobs, next, tag)));
            }
            for (int w = 0; w < workers; w++) {
                KbsyncClient client = clients.get(w % clients.size());
                String worker = "cap-" + tag + "-w" + w;
                all.add(pool.submit(() -> {
                    while (done.get() < jobs) {
                        polls.incrementAndGet();
                        Optional<Assignment> got = Retry.unavailable(() -> client.poll(worker, POLL_WAIT));
                        if (got.isPresent()) {
                            Assignment a = got.get();
                            String commit = String.format(Locale.ROOT, "%040x", done.incrementAndGet());
                            Retry.unavailable(() -> client.reportResult(
                                    a.job().id(), new JobOutcome.Done(a.lease().id(), commit, List.of(), 0)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(jobs, 2L * jobs + polls.get(), polls.get(), seconds);
    }

    /** Submits {@code jobs} notes that no worker takes (they stay queued). */
    Result queueOnly(int jobs, int submitters, String tag) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(submitters);
        long start = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int s = 0; s < submitters; s++) {
                all.add(pool.submit(() -> submit(jobs, next, tag)));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Result(jobs, jobs, 0, (System.nanoTime() - start) / 1e9);
    }

    /** {@code grants} raw leases, each granted at once (every thread on a KB of its own) and released. */
    Result grants(int grants, int threads) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                all.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < grants; i = next.getAndIncrement()) {
                        KbsyncClient client = clients.get(i % clients.size());
                        String kb = kbs.get(thread % kbs.size());
                        Lease lease = client.requestLease(KbId.of(kb), LeaseRequest.of("cap-" + thread));
                        client.release(lease.id());
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Result(grants, 2L * grants, 0, (System.nanoTime() - start) / 1e9);
    }

    private Void submit(int jobs, AtomicInteger next, String tag) {
        for (int i = next.getAndIncrement(); i < jobs; i = next.getAndIncrement()) {
            KbsyncClient client = clients.get(i % clients.size());
            KbId kb = KbId.of(kbs.get(i % kbs.size()));
            // no idempotency key (most notes come without one); a 503 after the job was stored, rare, adds a job
            NoteRequest note = NoteRequest.of(
                    USER,
                    "capacity note " + tag + "-" + i + ": about a hundred bytes of text, as a"
                            + " short chat message would be.");
            Retry.unavailable(() -> client.submitNote(kb, note));
        }
        return null;
    }
}
