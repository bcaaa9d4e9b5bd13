package dev.kbsync.worker.run;

import dev.kbsync.git.CleanMark;
import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitException;
import dev.kbsync.git.KbRepository;
import dev.kbsync.git.Recovery;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disposable checkout of one KB on this host. Used only under the KB's local lock. Every cycle starts from
 * {@link #syncToRemote()} or {@link #syncForPublish()}: local leftovers of a crashed cycle (changes, unpushed commits,
 * stale locks) are dropped, and a checkout that cannot be repaired is wiped and cloned again.
 *
 * <p>The full reset walks the whole work tree, which dominates a job's git time on a large KB. So the checkout
 * remembers whether the last cycle ended cleanly: a {@link CleanMark} taken right after its own successful push (the
 * cycle staged and committed exactly the files it changed, so index and work tree equal HEAD for everything it
 * touched). Every sync consumes the mark: a cycle that ends any other way (refused, failed, aborted, thrown, a library
 * session handed the work tree out for writes) leaves none, and the next sync resets fully. A fresh process or
 * checkout object has none either, so a crashed job's half-applied note is always reset away, never committed.
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
     * the first try, it is optimistic and does not even fetch: origin/branch is still what that push left, and the
     * cycle's push (never forced) is rejected if anybody else pushed since, which sends the cycle through a full
     * sync. Otherwise it fetches; after a clean cycle it resets nothing unless the remote moved.
     */
    KbRepository syncForPublish() {
        return sync(!pushedAtFirstTry);
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
     * Forgets that the last cycle ended cleanly, so the next sync resets fully: call it before handing the work tree
     * out to code that may write into it without reporting every file (a library session).
     */
    public void distrust() {
        clean = null;
        pushedAtFirstTry = false;
    }

    private KbRepository sync(boolean fetch) {
        CleanMark mark = clean;
        clean = null;
        pushedAtFirstTry = false;
        if (repo == null) {
            repo = openOrReclone();
        }
        Recovery recovery = mark == null ? repo.resetToRemote() : repo.resetToRemote(mark, fetch);
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
            clean = null;
            pushedAtFirstTry = false;
            repo.maintain();
            // A full reset here, off the critical path, also sweeps away whatever a cheap sync cannot see.
            if (repo.resetToRemote() instanceof Recovery.Recovered) {
                clean = repo.markClean().orElse(null);
                pushedAtFirstTry = optimistic && clean != null;
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
        if (repo != null) {
            repo.close();
            repo = null;
        }
    }
}
