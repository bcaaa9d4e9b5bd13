package dev.kbsync.worker.process;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Version;
import dev.kbsync.api.WorkerPresence;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What this worker process tells the coordinator about itself (its {@link WorkerPresence}): its slots are its poll
 * loops alive, each a {@link Seat} numbered 1 to their count (the {@code concurrency} pollers, and a loop whose job
 * waits for an unreachable remote while another polls in its place), each polling, running a job, or neither (between
 * jobs, backing off); the KB checkouts it keeps, newest first, with the commit
 * each was left at; the kinds of job it runs (note jobs, and agent tasks when it has an agent, so that the
 * coordinator never hands it an agent task it would fail). Slots update it; polls and {@link PresenceRenewer} send {@link #snapshot()}. Thread-safe.
 */
final class Presence {
    /** Most checkouts reported (the coordinator accepts 64), the most recently used ones. */
    static final int MAX_CHECKOUTS = 64;

    private final String host;
    /** Most slots reported (the coordinator accepts 64). */
    static final int MAX_SLOTS = 64;

    /** The poll slots configured ({@code concurrency}): the fewest reported. */
    private final int slots;

    private final Instant startedAt;
    private final Set<JobKind> kinds;
    private final Clock clock;
    /** The loops alive; a seat's slot number is its index + 1. */
    private final List<Seat> seats = new ArrayList<>();

    private final Map<Seat, Started> running = new HashMap<>();
    private final Set<Seat> polling = new HashSet<>();
    private final LinkedHashMap<KbId, WorkerPresence.Checkout> checkouts = new LinkedHashMap<>();
    private boolean draining;

    Presence(int slots, Set<JobKind> kinds, Clock clock) {
        this(hostName(), slots, kinds, clock);
    }

    Presence(String host, int slots, Set<JobKind> kinds, Clock clock) {
        this.host = host;
        this.slots = slots;
        this.kinds = Set.copyOf(kinds);
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** A new poll loop: the next slot number; empty when there are {@link #MAX_SLOTS} already. */
    synchronized Optional<Seat> join() {
        if (seats.size() >= MAX_SLOTS) {
            return Optional.empty();
        }
        Seat seat = new Seat();
        seats.add(seat);
        return Optional.of(seat);
    }

    /** The loop of {@code seat} ended: the newest loop takes its slot number. */
    synchronized void leave(Seat seat) {
        int at = seats.indexOf(seat);
        if (at < 0) {
            return;
        }
        Seat last = seats.remove(seats.size() - 1);
        if (last != seat) {
            seats.set(at, last);
        }
        polling.remove(seat);
        running.remove(seat);
    }

    /** The loop of {@code seat} is about to poll for work. */
    synchronized void polling(Seat seat) {
        polling.add(seat);
    }

    /** The loop of {@code seat} got {@code assignment} and runs it. */
    synchronized void running(Seat seat, Assignment assignment) {
        polling.remove(seat);
        running.put(seat, new Started(assignment.kb().id(), assignment.job().id(), clock.instant()));
    }

    /** The loop of {@code seat} finished its job on {@code kb}, leaving the checkout at {@code commit} (null: unknown). */
    synchronized void finished(Seat seat, KbId kb, String commit) {
        running.remove(seat);
        WorkerPresence.Checkout before = checkouts.remove(kb);
        String at = commit != null ? commit : before == null ? null : before.commit();
        checkouts.put(kb, new WorkerPresence.Checkout(kb, at, clock.instant()));
        Iterator<KbId> oldest = checkouts.keySet().iterator();
        while (checkouts.size() > MAX_CHECKOUTS) {
            oldest.next();
            oldest.remove();
        }
    }

    /** The loop of {@code seat} stopped polling (a failed poll backs off, or the worker stops). */
    synchronized void away(Seat seat) {
        polling.remove(seat);
    }

    /** The worker stops: it takes no new jobs. */
    synchronized void draining() {
        draining = true;
    }

    synchronized WorkerPresence snapshot() {
        List<WorkerPresence.RunningJob> jobs = new ArrayList<>();
        for (int i = 0; i < seats.size(); i++) {
            Started job = running.get(seats.get(i));
            if (job != null) {
                jobs.add(new WorkerPresence.RunningJob(i + 1, job.kb(), job.jobId(), job.since()));
            }
        }
        List<WorkerPresence.Checkout> newestFirst = new ArrayList<>(checkouts.values());
        Collections.reverse(newestFirst);
        return new WorkerPresence(
                host,
                Version.current(),
                Math.max(slots, seats.size()),
                draining ? 0 : polling.size(),
                draining,
                jobs,
                newestFirst,
                startedAt,
                kinds);
    }

    /** The job a loop runs, since when. */
    private record Started(KbId kb, String jobId, Instant since) {}

    /** This machine's name as the coordinator accepts it ({@code [A-Za-z0-9._-]}, at most 253 characters). */
    static String hostName() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            name = System.getenv().getOrDefault("HOSTNAME", "unknown");
        }
        String clean = name.replaceAll("[^A-Za-z0-9._-]", "-");
        clean = clean.length() > 253 ? clean.substring(0, 253) : clean;
        return clean.isEmpty() ? "unknown" : clean;
    }
}
