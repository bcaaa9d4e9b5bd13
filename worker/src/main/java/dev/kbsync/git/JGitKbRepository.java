package dev.kbsync.git;

import dev.kbsync.api.FileChange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link KbRepository} over JGit; each operation lives in its own small class. */
final class JGitKbRepository implements KbRepository {
    private static final Logger LOG = LoggerFactory.getLogger(JGitKbRepository.class);

    private final Checkout checkout;
    private final PushOperation push;
    private final PullOperation pull;
    private final ChangedFiles changedFiles;
    private final CommitOperation commits;
    private final CaseIndex cases;

    JGitKbRepository(Checkout checkout) {
        this.checkout = checkout;
        this.push = new PushOperation(checkout);
        this.pull = new PullOperation(checkout, push);
        this.changedFiles = new ChangedFiles(checkout);
        this.commits = new CommitOperation(checkout, changedFiles);
        this.cases = new CaseIndex(checkout, changedFiles);
    }

    Checkout checkout() {
        return checkout;
    }

    @Override
    public Path workTree() {
        return checkout.repo().getWorkTree().toPath();
    }

    @Override
    public String branch() {
        return checkout.branch();
    }

    @Override
    public boolean hasRemote() {
        return checkout.hasRemote();
    }

    @Override
    public boolean hasChanges() {
        commits.flush();
        try {
            return !checkout.git().status().call().isClean();
        } catch (GitAPIException | JGitInternalException e) {
            throw GitFailures.wrap("status", e);
        }
    }

    @Override
    public Optional<String> head() {
        return Optional.ofNullable(headId()).map(ObjectId::name);
    }

    private ObjectId headId() {
        try {
            return checkout.resolve("HEAD");
        } catch (IOException e) {
            throw GitFailures.wrap("rev-parse", e);
        }
    }

    @Override
    public PullResult pull() {
        commits.flush();
        PullResult result = pull.pull();
        LOG.info("pull {} {}: {}", workTree(), branch(), result.message());
        return result;
    }

    @Override
    public void add(String path) {
        commits.add(path);
    }

    @Override
    public CommitResult commit(String message, Author author, Map<String, String> trailers) {
        ObjectId parent = headId();
        CommitResult result = commits.commit(message, author, trailers);
        cases.committed(parent, result);
        LOG.info("commit {} {}: {}", workTree(), branch(), result);
        return result;
    }

    @Override
    public CommitResult commitPaths(
            Collection<String> paths, String message, Author author, Map<String, String> trailers) {
        ObjectId parent = headId();
        CommitResult result = commits.commitPaths(paths, message, author, trailers);
        cases.committed(parent, result);
        LOG.info("commit {} {} ({} path(s)): {}", workTree(), branch(), paths.size(), result);
        return result;
    }

    @Override
    public Optional<String> caseTwin(String path) {
        return cases.twin(path);
    }

    @Override
    public void restore(Collection<String> paths) {
        new Restore(checkout).restore(paths);
    }

    @Override
    public PushResult push() {
        PushResult result = push.push();
        LOG.info("push {} {} to {}: {}", workTree(), branch(), Secrets.mask(checkout.remoteUrl()), result.message());
        return result;
    }

    @Override
    public Map<String, String> findCommitsWithTrailer(String key, Collection<String> values, int maxCommits) {
        return new TrailerSearch(checkout).find(key, values, maxCommits);
    }

    @Override
    public Map<String, String> findCommitsWithTrailer(String key, Collection<String> values, TrailerBound bound) {
        return new TrailerSearch(checkout).find(key, values, bound);
    }

    @Override
    public OptionalLong latestFence(String kb, int maxCommits) {
        return new TrailerSearch(checkout).latestFence(kb, maxCommits);
    }

    @Override
    public List<FileChange> changedFilesBetween(String fromCommit, String toCommit) {
        return changedFiles.between(fromCommit, toCommit);
    }

    @Override
    public Recovery resetToRemote() {
        commits.discard();
        Recovery result = new Repair(checkout).resetToRemote();
        if (result instanceof Recovery.Recovered recovered
                && recovered.actions().isEmpty()) {
            LOG.debug("reset {} {} to remote: {}", workTree(), branch(), result);
        } else {
            LOG.warn("reset {} {} to remote: {}", workTree(), branch(), result);
        }
        return result;
    }

    @Override
    public Optional<CleanMark> markClean() {
        commits.flush();
        return new Resume(checkout, cases).mark();
    }

    @Override
    public Recovery resetToRemote(CleanMark mark, boolean fetch) {
        commits.discard();
        Optional<Recovery> resumed = new Resume(checkout, cases).from(mark, fetch);
        if (resumed.isPresent()) {
            LOG.debug("resumed {} {} from {} (fetch: {}): {}", workTree(), branch(), mark.head(), fetch, resumed.get());
            return resumed.get();
        }
        LOG.info("checkout {} is not as its last clean cycle left it; resetting it fully", workTree());
        return resetToRemote();
    }

    @Override
    public void maintain() {
        commits.flush();
        try {
            checkout.git().gc().setPreserveOldPacks(false).call();
        } catch (GitAPIException | JGitInternalException e) {
            throw GitFailures.wrap("gc", e);
        }
    }

    @Override
    public void close() {
        commits.discard();
        checkout.git().close();
    }
}
