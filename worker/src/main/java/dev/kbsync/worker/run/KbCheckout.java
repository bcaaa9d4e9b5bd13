package dev.kbsync.worker.run;

import dev.kbsync.git.GitCredentials;
import dev.kbsync.git.GitException;
import dev.kbsync.git.KbRepository;
import dev.kbsync.git.Recovery;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disposable checkout of one KB on this host. Used only under the KB's local lock. Every cycle starts from
 * {@link #syncToRemote()}: local leftovers of a crashed cycle (changes, unpushed commits, stale locks) are dropped,
 * and a checkout that cannot be repaired is wiped and cloned again.
 */
public final class KbCheckout implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KbCheckout.class);

    private final String remote;
    private final String branch;
    private final Path dir;
    private final Optional<GitCredentials> credentials;
    private KbRepository repo;
    private int cyclesSinceMaintain;

    public KbCheckout(String remote, String branch, Path dir, Optional<GitCredentials> credentials) {
        this.remote = remote;
        this.branch = branch;
        this.dir = dir;
        this.credentials = credentials;
    }

    /** Makes the work tree equal origin/branch (clone on first use, repair or re-clone when broken). */
    public KbRepository syncToRemote() {
        if (repo == null) {
            repo = openOrReclone();
        }
        Recovery recovery = repo.resetToRemote();
        if (recovery instanceof Recovery.NeedsReclone needs) {
            log.warn("checkout {} is damaged ({}); cloning again", dir, needs.reason());
            repo.close();
            repo = KbRepository.reclone(remote, branch, dir, credentials);
        }
        return repo;
    }

    /** Runs {@code maintain()} every {@code every} cycles; call it under the lock, after the result was reported. */
    public void maintainEvery(int every) {
        if (repo != null && ++cyclesSinceMaintain >= every) {
            cyclesSinceMaintain = 0;
            repo.maintain();
        }
    }

    private KbRepository openOrReclone() {
        try {
            return KbRepository.cloneOrOpen(remote, branch, dir, credentials);
        } catch (GitException e) {
            log.warn("checkout {} cannot be opened ({}); cloning again", dir, e.getMessage());
            return KbRepository.reclone(remote, branch, dir, credentials);
        }
    }

    @Override
    public void close() {
        if (repo != null) {
            repo.close();
            repo = null;
        }
    }
}
