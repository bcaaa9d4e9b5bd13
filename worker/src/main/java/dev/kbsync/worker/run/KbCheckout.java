package dev.kbsync.worker.run;

import dev.kbsync.git.CleanMark;
import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitException;
import dev.kbsync.git.KbRepository;
import dev.kbsync.git.Recovery;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disposable checkout of one KB on this host. Used only under the KB's local lock. Every cycle starts from
 * {@link #syncToRemote()} or {@link #syncForPublish()}: local leftovers of a crashed cycle (changes, unpushed commits,
 * stale locks) are dropped, and a checkout that cannot be repaired is wiped and cloned again.
 *
 * <p>The full reset walks the whole work tree, which dominates a job's git time on a large KB. So the checkout
 * remembers whether the last cycle ended cleanly: a {@link CleanMark} taken right after its own successful push, or
 * right after a push of its commits was rejected (the cycle staged and committed exactly the files it changed, so
 * index and work tree equal HEAD for everything it touched). The next sync then touches only the paths that differ
 * between the mark's head and the remote's (none if the remote did not move): a rejected push after another worker's
 * push, the normal case when workers take turns on a KB, costs a fetch and that fast-forward. Every sync consumes the
 * mark: a cycle that ends any other way (refused, failed, aborted, thrown, a library session handed the work tree out
 * for writes) leaves none, and the next sync resets fully. A fresh process or checkout object has none either, so a
 * crashed job's half-applied note is always reset away, never committed.
 */
public final class KbCheckout implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KbCheckout.class);

    private final String remote;
    private final String branch;
    private final Path dir;
    private final GitAuth auth;
    private KbRepository repo;
    private int cyclesSinceMaintain;
    private CleanMark clean;
    private boolean pushedAtFirstTry;
    private boolean remoteQuiet;
    private boolean movedAtSync;
    private long nextFence = -1;

    /** {@code auth}: asked for the KB's credential before every clone, fetch and push. */
    public KbCheckout(String remote, String branch, Path dir, GitAuth auth) {
        this.remote = remote;
        this.branch = branch;
        this.dir = dir;
        this.auth = auth;
    }

    /** Makes the work tree equal origin/branch, fetched now (clone on first use, repair or re-clone when broken). */
    public KbRepository syncToRemote() {
        return sync(true);
    }

    /**
     * {@link #syncToRemote()} for the publish cycle. When the last cycle here ended with a push that went through at
     * the first try, and the last fetch found the remote where this checkout's own previous push had left it (nobody
     * else pushes to the KB now), it is optimistic and does not even fetch: origin/branch is still what that push
     * left, and the cycle's push (never forced) is rejected if anybody else pushed since, which sends the cycle
     * through a sync with a fetch. Otherwise it fetches (when workers take turns on a KB, every cycle does, and no
     * push is rejected for it); after a clean cycle it writes only what the remote changed since.
     */
    KbRepository syncForPublish() {
        return sync(!pushedAtFirstTry);
    }

    /**
     * Call before a publish cycle, under the lock, with the fencing tokens of its grant ({@code first}: the head's,
     * {@code last}: its last group-commit member's, or the head's). A cycle whose first token follows the last one of
     * this checkout's previous cycle had no other holder in between; after a gap the cycle fetches first instead of
     * being optimistic, so a checkout that gets a KB back after a handover catches up with a fetch, not with a rejected
     * push. Tokens follow the Redis clock (at least one per millisecond apart), so grants more than a millisecond
     * apart show a gap even without a handover: such cycles fetch first too (safe, one fetch more per cycle).
     */
    public void granted(long first, long last) {
        if (first != nextFence) {
            pushedAtFirstTry = false;
        }
        nextFence = last + 1;
    }

    /**
     * Call right after the cycle's successful push, under the lock: index and work tree equal HEAD, which equals
     * origin/branch. {@code atFirstTry}: no push of the cycle was rejected (the next cycle may skip its fetch).
     */
    void pushedCleanly(boolean atFirstTry) {
        clean = repo == null ? null : repo.markClean().orElse(null);
        pushedAtFirstTry = clean != null && atFirstTry && remoteQuiet;
    }

    /**
     * Call right after the cycle's push was rejected as non-fast-forward, under the lock: index and work tree equal
     * HEAD (the cycle's unpushed commits). The retry's sync fetches and moves the checkout onto the remote's head
     * path by path instead of resetting it fully.
     */
    void pushRejected() {
        clean = repo == null ? null : repo.markClean().orElse(null);
        pushedAtFirstTry = false;
        remoteQuiet = false;
    }

    /**
     * Forgets that the last cycle ended cleanly, so the next sync resets fully: call it before handing the work tree
     * out to code that may write into it without reporting every file (a library session).
     */
    public void distrust() {
        clean = null;
        pushedAtFirstTry = false;
    }

    /**
     * Whether the last sync found the remote moved by another writer since this checkout's last clean cycle (false
     * when it could not tell: no clean cycle before, or no fetch).
     */
    boolean remoteMovedAtSync() {
        return movedAtSync;
    }

    private KbRepository sync(boolean fetch) {
        CleanMark mark = clean;
        clean = null;
        pushedAtFirstTry = false;
        movedAtSync = false;
        if (repo == null) {
            repo = openOrReclone();
        }
        Recovery recovery = mark == null ? repo.resetToRemote() : repo.resetToRemote(mark, fetch);
        if (fetch) {
            // The remote is quiet if it was still where this checkout's last cycle left it.
            remoteQuiet = mark != null
                    && recovery instanceof Recovery.Recovered r
                    && r.head().equals(mark.head());
            movedAtSync = mark != null
                    && recovery instanceof Recovery.Recovered r
                    && !r.head().equals(mark.head());
        }
        if (recovery instanceof Recovery.NeedsReclone needs) {
            log.warn("checkout {} is damaged ({}); cloning again", dir, needs.reason());
            repo.close();
            repo = KbRepository.reclone(remote, branch, dir, auth);
        }
        return repo;
    }

    /**
     * Runs {@code maintain()} (repack) and a full reset every {@code every} cycles; call it under the lock, after the
     * result was reported.
     */
    public void maintainEvery(int every) {
        if (repo != null && ++cyclesSinceMaintain >= every) {
            cyclesSinceMaintain = 0;
            boolean optimistic = pushedAtFirstTry;
            Optional<String> before = repo.head();
            clean = null;
            pushedAtFirstTry = false;
            repo.maintain();
            // A full reset here, off the critical path, also sweeps away whatever a cheap sync cannot see.
            if (repo.resetToRemote() instanceof Recovery.Recovered recovered) {
                remoteQuiet &= before.equals(Optional.of(recovered.head()));
                clean = repo.markClean().orElse(null);
                pushedAtFirstTry = optimistic && remoteQuiet && clean != null;
            }
        }
    }

    private KbRepository openOrReclone() {
        try {
            return KbRepository.cloneOrOpen(remote, branch, dir, auth);
        } catch (CredentialsUnavailableException e) {
            throw e; // cloning again cannot help
        } catch (GitException e) {
            log.warn("checkout {} cannot be opened ({}); cloning again", dir, e.getMessage());
            return KbRepository.reclone(remote, branch, dir, auth);
        }
    }

    @Override
    public void close() {
        clean = null;
        pushedAtFirstTry = false;
        remoteQuiet = false;
        nextFence = -1;
        if (repo != null) {
            repo.close();
            repo = null;
        }
    }
}
