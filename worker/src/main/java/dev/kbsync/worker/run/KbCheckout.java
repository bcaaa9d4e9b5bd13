package dev.kbsync.worker.run;

import dev.kbsync.git.CleanMark;
import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitException;
import dev.kbsync.git.KbRepository;
import dev.kbsync.git.Recovery;
import dev.kbsync.git.RemoteNotFoundException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disposable checkout of one KB on this host. Used only under the KB's local lock. Every cycle starts from
 * {@link #syncToRemote()} or {@link #syncForPublish()}: local leftovers of a crashed cycle (changes, unpushed commits,
 * stale locks) are dropped, and a checkout that cannot be repaired is wiped and cloned again (not when the reset failed
 * for a full disk: the checkout is kept, and the next sync resets it again).
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
    private boolean soleHolder;
    private boolean movedAtSync;
    private long lastFence = -1;
    /** Why the checkout must be cloned again at the next sync (its history is damaged); null: it need not. */
    private String damage;
    /** Set by {@link #retire()}: closed for good, it no longer syncs (a sync would open its repository again). */
    private boolean retired;

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
     * the first try, and nobody else held the KB since ({@link #granted}), or (when the grant cannot tell) the last
     * fetch found the remote where this checkout's own previous push had left it, it is optimistic and does not even
     * fetch: origin/branch is still what that push left, and the cycle's push (never forced) is rejected if anybody
     * else pushed since (a writer outside kbsync), which sends the cycle through a sync with a fetch. Otherwise it
     * fetches (a KB handed back by another holder); after a clean cycle it writes only what the remote changed since.
     */
    KbRepository syncForPublish() {
        return sync(!(pushedAtFirstTry && (soleHolder || remoteQuiet)));
    }

    /**
     * Call before a publish cycle, under the lock, with the tokens of its grant: {@code previous}, the KB's token right
     * before the grant (empty when the coordinator does not tell), {@code first}, the head's, and {@code last}, its last
     * group-commit member's (or the head's). The grant follows this checkout's previous cycle with no other holder in
     * between when {@code previous} is that cycle's last token; then the cycle may skip its fetch. After another holder
     * the cycle fetches first, so a checkout that gets a KB back after a handover catches up with a fetch, not with a
     * rejected push. Without {@code previous}, a {@code first} token that does not follow that last one counts as a
     * handover (tokens follow the Redis clock, so that is nearly always), and a contiguous one leaves the choice to
     * whether the last fetch found the remote quiet.
     */
    public void granted(OptionalLong previous, long first, long last) {
        soleHolder = previous.isPresent() && previous.getAsLong() == lastFence;
        if (previous.isPresent() ? !soleHolder : first != lastFence + 1) {
            pushedAtFirstTry = false;
        }
        lastFence = last;
    }

    /**
     * Call right after the cycle's successful push, under the lock: index and work tree equal HEAD, which equals
     * origin/branch. {@code atFirstTry}: no push of the cycle was rejected (the next cycle may skip its fetch).
     */
    void pushedCleanly(boolean atFirstTry) {
        clean = repo == null ? null : repo.markClean().orElse(null);
        pushedAtFirstTry = clean != null && atFirstTry;
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
        soleHolder = false;
    }

    /**
     * Whether the last sync found the remote moved by another writer since this checkout's last clean cycle (false
     * when it could not tell: no clean cycle before, or no fetch).
     */
    boolean remoteMovedAtSync() {
        return movedAtSync;
    }

    /**
     * Synchronized with {@link #close()} and {@link #retire()}, which may come from another thread (a library instance
     * closed while one of its opens syncs): they wait for the sync under way.
     */
    private synchronized KbRepository sync(boolean fetch) {
        if (retired) {
            throw new IllegalStateException("checkout " + dir + " is closed for good: its cache was closed");
        }
        CleanMark mark = clean;
        clean = null;
        pushedAtFirstTry = false;
        soleHolder = false;
        movedAtSync = false;
        if (damage != null) {
            log.warn("checkout {} is damaged ({}); cloning again", dir, damage);
            if (repo != null) {
                repo.close();
                repo = null;
            }
            repo = KbRepository.reclone(remote, branch, dir, auth);
            damage = null;
        }
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
            if (DiskFull.says(needs.reason())) { // a clone would not fit either: the next sync resets it again
                throw new GitException("Git error during reset of " + dir + ": " + needs.reason());
            }
            log.warn("checkout {} is damaged ({}); cloning again", dir, needs.reason());
            repo.close();
            repo = KbRepository.reclone(remote, branch, dir, auth);
        }
        return repo;
    }

    /**
     * A walk of the checkout's history found it damaged ({@code reason}: an older commit missing or corrupt, which the
     * reset does not read): the next sync clones it again. Call it under the lock.
     */
    void damaged(String reason) {
        damage = reason;
        clean = null;
        pushedAtFirstTry = false;
        remoteQuiet = false;
        soleHolder = false;
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
            long started = System.nanoTime();
            repo.maintain();
            long packed = System.nanoTime();
            // A full reset here, off the critical path, also sweeps away whatever a cheap sync cannot see.
            Recovery reset = repo.resetToRemote();
            log.info(
                    "maintained checkout {}: repack {} ms, full reset {} ms",
                    dir,
                    (packed - started) / 1_000_000,
                    (System.nanoTime() - packed) / 1_000_000);
            if (reset instanceof Recovery.Recovered recovered) {
                boolean unmoved = before.equals(Optional.of(recovered.head()));
                remoteQuiet &= unmoved;
                clean = repo.markClean().orElse(null);
                pushedAtFirstTry = optimistic && unmoved && clean != null;
            }
        }
    }

    private KbRepository openOrReclone() {
        try {
            return KbRepository.cloneOrOpen(remote, branch, dir, auth);
        } catch (CredentialsUnavailableException | RemoteNotFoundException e) {
            throw e; // cloning again cannot help
        } catch (GitException e) {
            log.warn("checkout {} cannot be opened ({}); cloning again", dir, e.getMessage());
            return KbRepository.reclone(remote, branch, dir, auth);
        }
    }

    /**
     * Closes the checkout for good, as its cache closes: waits for a sync under way on another thread, closes the
     * repository, and has later syncs throw {@link IllegalStateException} instead of opening it again.
     */
    synchronized void retire() {
        retired = true;
        close();
    }

    /** Closes the repository (waiting for a sync under way); the next sync opens it again, and resets fully. */
    @Override
    public synchronized void close() {
        clean = null;
        pushedAtFirstTry = false;
        remoteQuiet = false;
        soleHolder = false;
        lastFence = -1;
        if (repo != null) {
            repo.close();
            repo = null;
        }
    }
}
