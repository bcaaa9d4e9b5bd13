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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What this worker process tells the coordinator about itself (its {@link WorkerPresence}): each poll slot is polling,
 * running a job, or neither (between jobs, backing off); the KB checkouts it keeps, newest first, with the commit
 * each was left at; the kinds of job it runs (note jobs, and agent tasks when it has an agent, so that the
 * coordinator never hands it an agent task it would fail). Slots update it; polls and {@link PresenceRenewer} send {@link #snapshot()}. Thread-safe.
 */
final class Presence {
    /** Most checkouts reported (the coordinator accepts 64), the most recently used ones. */
    static final int MAX_CHECKOUTS = 64;

    private final String host;
    private final int slots;
    private final Instant startedAt;
    private final Set<JobKind> kinds;
    private final Clock clock;
    private final Map<Integer, WorkerPresence.RunningJob> running = new LinkedHashMap<>();
    private final boolean[] polling;
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
        this.polling = new boolean[slots + 1];
    }

    /** Slot {@code slot} (1-based) is about to poll for work. */
    synchronized void polling(int slot) {
        polling[slot] = true;
    }

    /** Slot {@code slot} got {@code assignment} and runs it. */
    synchronized void running(int slot, Assignment assignment) {
        polling[slot] = false;
        running.put(
                slot,
                new WorkerPresence.RunningJob(
                        slot, assignment.kb().id(), assignment.job().id(), clock.instant()));
    }

    /** Slot {@code slot} finished its job on {@code kb}, leaving the checkout at {@code commit} (null: unknown). */
    synchronized void finished(int slot, KbId kb, String commit) {
        running.remove(slot);
        WorkerPresence.Checkout before = checkouts.remove(kb);
        String at = commit != null ? commit : before == null ? null : before.commit();
        checkouts.put(kb, new WorkerPresence.Checkout(kb, at, clock.instant()));
        Iterator<KbId> oldest = checkouts.keySet().iterator();
        while (checkouts.size() > MAX_CHECKOUTS) {
            oldest.next();
            oldest.remove();
        }
    }

    /** Slot {@code slot} stopped polling (a failed poll backs off, or the worker stops). */
    synchronized void away(int slot) {
        polling[slot] = false;
    }

    /** The worker stops: it takes no new jobs. */
    synchronized void draining() {
        draining = true;
    }

    synchronized WorkerPresence snapshot() {
        int idle = 0;
        for (int slot = 1; slot <= slots; slot++) {
            idle += polling[slot] ? 1 : 0;
        }
        List<WorkerPresence.Checkout> newestFirst = new ArrayList<>(checkouts.values());
        Collections.reverse(newestFirst);
        return new WorkerPresence(
                host,
                Version.current(),
                slots,
                draining ? 0 : idle,
                draining,
                List.copyOf(running.values()),
                newestFirst,
                startedAt,
                kinds);
    }

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
