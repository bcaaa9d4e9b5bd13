package dev.kbsync.worker.library;

import dev.kbsync.api.Lease;
import dev.kbsync.git.Author;
import dev.kbsync.git.FileMerge;
import dev.kbsync.git.KbRepository;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.run.Fencing;
import dev.kbsync.worker.run.KbCheckout;
import dev.kbsync.worker.run.LeaseKeeper;
import dev.kbsync.worker.run.Outcome;
import dev.kbsync.worker.run.PrePushCheck;
import dev.kbsync.worker.run.PublishCycle;
import dev.kbsync.worker.run.WorkUnit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive use of one KB: the distributed lease (unless degraded) and the local lock are held until {@link #close()}.
 * Write through {@link #write}/{@link #delete} (recorded, so they can be merged into a newer remote head);
 * {@link #checkout()} is for reading. Blocking: use it off the event loop. Closed (by {@link #close()}, or by
 * {@link Kbsync#close()}), it refuses further writes and pushes.
 */
public final class KbSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KbSession.class);

    private final String kb;
    private final String operation;
    private final Author author;
    private final Optional<Lease> lease;
    private final Optional<LeaseKeeper> keeper;
    private final LocalKbLock.Handle local;
    private final KbCheckout checkout;
    private final Path workTree;
    private String base;
    private final PublishCycle cycle;
    private final Consumer<KbSession> release;
    /** Set by {@link #close()}: the lock and lease are gone, so the session may no longer touch the checkout. */
    private boolean closed;
    /**
     * The writes not yet published, made over {@link #base}; kept until a cycle ends other than failed (carried onto
     * the head a failed cycle applied them to, with {@link #base} moved there).
     */
    private SessionWrites writes = new SessionWrites();
    /**
     * The unit id the kept writes were last offered under (null: none yet, or written to since): a retry after a
     * failed or thrown cycle reuses it, so it finds the failed cycle's commit if that landed after all.
     */
    private String unitId;

    KbSession(
            String kb,
            String operation,
            Author author,
            Optional<Lease> lease,
            Optional<LeaseKeeper> keeper,
            LocalKbLock.Handle local,
            KbCheckout checkout,
            PublishCycle cycle,
            Consumer<KbSession> release) {
        this.kb = kb;
        this.operation = operation;
        this.author = author;
        this.lease = lease;
        this.keeper = keeper;
        this.local = local;
        this.checkout = checkout;
        KbRepository synced = checkout.syncToRemote();
        this.workTree = synced.workTree();
        this.base = synced.head().orElse(null);
        this.cycle = cycle;
        this.release = release;
    }

    /**
     * The KB's work tree: the remote when the session opened plus this session's writes. After a {@link
     * #commitAndPush} that published nothing, the remote's head it synced to plus the writes it kept (the files this
     * session wrote read as it wrote them).
     */
    public Path checkout() {
        return workTree;
    }

    /** True when the coordinator was unreachable and only the local lock serializes this session. */
    public boolean degraded() {
        return lease.isEmpty();
    }

    /** The fencing token of the distributed lease, if any. */
    public Optional<Long> fencingToken() {
        return lease.map(Lease::fencingToken);
    }

    /** Writes a KB-relative file (path checked: never outside the KB or into {@code .git}). */
    public synchronized void write(String path, String text) {
        requireOpen();
        writes.record(workTree, path, Objects.requireNonNull(text, "text"));
        unitId = null;
    }

    /** Deletes a KB-relative file. */
    public synchronized void delete(String path) {
        requireOpen();
        writes.record(workTree, path, null);
        unitId = null;
    }

    /**
     * Commits the recorded writes with {@code message} and pushes (never forced). If another writer pushed since the
     * session read the KB (its lock failed: degraded mode, or a lease lost), the writes are merged three-way into the
     * new head, on every rejected push again: edits that do not overlap are kept on both sides. When the cycle fails
     * ({@link Outcome.Failed}) or throws, the writes are kept and the next call publishes them (merged the same way if
     * the remote moved meanwhile), and the checkout shows them (over the remote's head the cycle synced to); if the
     * cycle had carried them onto a newer remote head, they are kept as merged there, over that head.
     *
     * @throws SessionConflictException if both changed the same lines of a file (or one deleted a file the other
     *     edited): nothing was published, and the checkout now shows the other writer's version
     * @throws dev.kbsync.worker.run.UnitAbortedException nothing is pushed, by its {@code code()}: the lease was lost,
     *     or its heartbeat refused for good (401/403: check the token) ({@code LEASE_LOST}), or it reached its hard
     *     deadline ({@code MAX_HOLD_EXCEEDED}): close the session; the coordinator could not be reached before the push
     *     with the fallback {@code FAIL} ({@code COORDINATOR_UNAVAILABLE}), or the thread was interrupted while the lease
     *     was checked before the push, its interrupt flag set again ({@code WORKER_SHUTDOWN}): the writes are kept, and
     *     a later call may publish them
     * @throws dev.kbsync.git.GitException a git failure the cycle cannot report as an outcome (the cache's disk full,
     *     a checkout damaged beyond a re-clone): the writes are kept, and the next call (no write in between: the same
     *     unit id) finds a push this one made before the failure instead of pushing again
     */
    public synchronized Outcome commitAndPush(String message) {
        requireOpen();
        keeper.ifPresent(
                LeaseKeeper::throwIfStopped); // a lost lease is said as such, before the branch's fence is read
        SessionWrites pending = writes;
        String unit = unitId != null ? unitId : operation + "-" + UUID.randomUUID();
        unitId = unit;
        checkout.distrust(); // the session's tree may hold unrecorded writes: start from a full reset
        AtomicReference<List<String>> conflict = new AtomicReference<>();
        AtomicReference<String> appliedAt = new AtomicReference<>(base);
        AtomicReference<SessionWrites> carried = new AtomicReference<>();
        String over = base;
        WorkUnit work = new WorkUnit() {
            @Override
            public String id() {
                return unit;
            }

            @Override
            public Author author() {
                return author;
            }

            @Override
            public Map<String, String> trailers() {
                return Map.of();
            }

            @Override
            public Optional<Fencing> fencing() {
                return lease.map(l -> new Fencing(l.kb().value(), l.fencingToken(), l.fencingToken(), true));
            }

            @Override
            public ApplyResult apply(Path tree, CaseIndex names) {
                appliedAt.set(FileMerge.head(tree).orElse(null));
                ApplyResult applied = pending.replay(tree, message, over, conflict::set);
                carried.set(applied instanceof ApplyResult.Changed ? pending.asIn(tree) : null);
                return applied;
            }

            @Override
            public void checkBeforePush() {
                keeper.ifPresent(LeaseKeeper::checkBeforePush);
            }

            @Override
            public PrePushCheck startCheckBeforePush() {
                return keeper.map(LeaseKeeper::startCheckBeforePush).orElse(() -> {});
            }
        };
        Outcome outcome;
        try {
            outcome = cycle.run(checkout, work);
        } catch (RuntimeException e) {
            try {
                keepOver(appliedAt.get(), carried.get());
            } catch (RuntimeException also) {
                e.addSuppressed(also);
            }
            throw e;
        }
        if (outcome instanceof Outcome.Published published) {
            base = published.commit();
        } else if (outcome instanceof Outcome.AlreadyPublished) {
            base = FileMerge.head(workTree).orElse(null); // the head synced, which has the commit (maybe more)
        } else if (outcome instanceof Outcome.Failed && conflict.get() == null) {
            keepOver(appliedAt.get(), carried.get());
        } else if (outcome instanceof Outcome.Unchanged || conflict.get() != null) {
            base = appliedAt.get(); // the tree shows that head now; later writes are made over it
        }
        if (!(outcome instanceof Outcome.Failed) || conflict.get() != null) {
            writes = new SessionWrites(); // done with: published, already there, no change, or to be redone
            unitId = null;
        }
        if (conflict.get() != null) {
            throw new SessionConflictException(conflict.get());
        }
        return outcome;
    }

    /**
     * After a cycle that published nothing: when it carried the writes onto a newer head ({@code appliedAt}, which the
     * checkout shows since), they are kept as carried there (merged), over that head, and written into the tree again
     * (a refused cycle may have put them back): later writes are made over what the checkout shows, and the next call
     * merges against that, not against the older base (a file that came with the newer head and was deleted since
     * would be kept otherwise). When it carried nothing (refused before replaying them: a write another writer's
     * {@code .gitignore} excludes now, a stale fence; or the sync failed), they are kept over {@link #base} as they
     * were, and written into the tree again all the same: its sync may have reset the tree to the remote's head, and a
     * bot reading a file it wrote back from {@link #checkout()} must find its own write there, not the head's version.
     */
    private void keepOver(String appliedAt, SessionWrites carried) {
        if (carried != null) {
            base = appliedAt;
            writes = carried;
        }
        writes.performAll(workTree);
    }

    /**
     * Releases the local lock, then the distributed lease; safe to call twice, and from another thread (it waits for a
     * {@link #commitAndPush} under way). Afterwards {@link #write}, {@link #delete} and {@link #commitAndPush} throw
     * {@link IllegalStateException}. Writes not published by then are dropped (logged at WARN with their paths).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> dropped = writes.paths();
        if (!dropped.isEmpty()) {
            log.warn(
                    "session {} on KB {} closed with {} write(s) never published, dropped: {}",
                    operation,
                    kb,
                    dropped.size(),
                    dropped);
        }
        checkout.distrust(); // writes after the last push may still be in the tree
        try {
            keeper.ifPresent(LeaseKeeper::close);
            local.close();
        } finally {
            release.accept(this);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("session closed");
        }
    }
}
