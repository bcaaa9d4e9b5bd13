package dev.kbsync.coordinator.snapshot;

import dev.kbsync.api.KbConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.GC;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KB's bare mirror: its branch fetched from the remote into {@code refs/heads/<branch>}. Fetches run one at a time
 * on the fetch executor (so a KB holds at most one fetch thread, whatever its remote does); asking for one while another runs schedules exactly one more (so a caller always gets a fetch
 * that started after it asked). The snapshot readers see is the commit of the last fetch that succeeded.
 */
final class Mirror implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Mirror.class);
    private static final int FETCH_TIMEOUT_SECONDS = 30;
    /** Each fetch that brings something leaves a pack: past this many, the fetch thread repacks them into one. */
    static final int PACK_LIMIT = 16;

    private volatile KbConfig kb;
    private final Path dir;
    private final Repository repository;
    private final Executor fetches;
    private final FetchAuth auth;
    private volatile ObjectId head;
    /** The last fetch found the remote without the KB's branch: an empty KB (head is null). */
    private volatile boolean empty;

    private volatile long fetchedAt = Long.MIN_VALUE;
    private volatile long readAt = System.nanoTime();
    private volatile boolean fetchEnded;
    private volatile String lastFailure = "not fetched yet";
    /** Fetches that failed in a row since the last one that succeeded, and when the last of them ended. */
    private volatile int failures;

    private volatile long failedAt;
    private CompletableFuture<Void> running;
    private CompletableFuture<Void> next;
    private boolean retired;

    private Mirror(KbConfig kb, Path dir, Repository repository, Executor fetches, FetchAuth auth) {
        this.kb = kb;
        this.dir = dir;
        this.repository = repository;
        this.fetches = fetches;
        this.auth = auth;
    }

    /** Opens (or creates) the bare repository at {@code dir}; its branch as last fetched is the first snapshot. */
    static Mirror open(KbConfig kb, Path dir, Executor fetches, FetchAuth auth) throws IOException {
        if (!Files.isDirectory(dir.resolve("objects"))) {
            try (Git ignored =
                    Git.init().setBare(true).setDirectory(dir.toFile()).call()) {
                log.debug("created the read mirror of KB {} at {}", kb.id().value(), dir);
            } catch (org.eclipse.jgit.api.errors.GitAPIException e) {
                throw new IOException(e);
            }
        }
        Repository repository =
                new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
        Mirror mirror = new Mirror(kb, dir, repository, fetches, auth);
        Ref ref = repository.exactRef(mirror.branchRef());
        mirror.head = ref == null ? null : ref.getObjectId();
        return mirror;
    }

    KbConfig kb() {
        return kb;
    }

    /** Whether it mirrors {@code other}: the same KB, remote and branch (its directory, see {@link MirrorDirs#of}). */
    boolean mirrors(KbConfig other) {
        KbConfig mine = kb;
        return mine.id().equals(other.id())
                && mine.remote().equals(other.remote())
                && mine.branch().equals(other.branch());
    }

    /**
     * The KB registered again with what it mirrors unchanged ({@link #mirrors}): the next fetch goes by {@code
     * registration} (its credentials); the rest of a registration (note path, duplicate window) is not a mirror's.
     */
    void configure(KbConfig registration) {
        if (mirrors(registration) && !kb.equals(registration)) {
            kb = registration;
        }
    }

    Repository repository() {
        return repository;
    }

    /** Its directory, as {@link #open} was given it. */
    Path dir() {
        return dir;
    }

    /** No longer served (its KB was removed or points elsewhere): it fetches no more. */
    synchronized void retire() {
        retired = true;
    }

    /** The latest snapshot, if a fetch ever succeeded (an empty one when the remote has no branch yet). */
    Optional<Snapshot> current() {
        ObjectId commit = head;
        if (commit != null) {
            return Optional.of(new Snapshot(repository, commit));
        }
        return empty ? Optional.of(Snapshot.empty(repository)) : Optional.empty();
    }

    /** A read used this mirror now. */
    void touch() {
        readAt = System.nanoTime();
    }

    /** Whether a read used it within {@code nanos}. */
    boolean readWithin(long nanos) {
        return System.nanoTime() - readAt < nanos;
    }

    /**
     * Whether a fetch of this process ended (succeeded or not): before that the snapshot is what an earlier run left on
     * disk, of any age.
     */
    boolean fetchEnded() {
        return fetchEnded;
    }

    /** Whether the last successful fetch started within {@code nanos} (false before the first). */
    boolean fetchedWithin(long nanos) {
        long at = fetchedAt;
        return at != Long.MIN_VALUE && System.nanoTime() - at < nanos;
    }

    /** Why the last fetch failed (for the 503 message), without secrets. */
    String lastFailure() {
        return lastFailure;
    }

    /**
     * Whether the timer should fetch it now: no fetch is under way (a remote that never answers holds one until it
     * times out), and fetches that keep failing are tried again only after a pause that doubles with each failure
     * (from {@code refreshNanos} up to {@code maxPauseNanos}). Reads and landings fetch regardless.
     */
    synchronized boolean dueForTimer(long refreshNanos, long maxPauseNanos) {
        if (running != null) {
            return false;
        }
        int failed = failures;
        if (failed == 0) {
            return true;
        }
        long pause = refreshNanos;
        for (int i = 1; i < failed && pause < maxPauseNanos; i++) {
            pause *= 2;
        }
        return System.nanoTime() - failedAt >= Math.min(pause, maxPauseNanos);
    }

    /** A fetch that starts after this call; completes (never exceptionally) when it ended. */
    synchronized CompletableFuture<Void> refresh() {
        if (retired) {
            return CompletableFuture.completedFuture(null);
        }
        if (running == null) {
            running = new CompletableFuture<>();
            CompletableFuture<Void> asked = running;
            try {
                fetches.execute(this::fetchLoop);
            } catch (RejectedExecutionException closing) { // the fetch threads are shut: no fetch will run
                endWaits();
            }
            return asked;
        }
        if (next == null) {
            next = new CompletableFuture<>();
        }
        return next;
    }

    /** Whether the snapshot {@code snapshot} contains {@code commit} (is it, or descends from it). */
    boolean contains(Snapshot snapshot, ObjectId commit) throws IOException {
        if (snapshot.isEmpty()) {
            return false;
        }
        if (snapshot.commit().equals(commit)) {
            return true;
        }
        if (!repository.getObjectDatabase().has(commit)) {
            return false;
        }
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit target = walk.parseCommit(commit);
            return walk.isMergedInto(target, walk.parseCommit(snapshot.commit()));
        } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            return false;
        }
    }

    private void fetchLoop() {
        CompletableFuture<Void> done;
        synchronized (this) {
            done = running;
        }
        try {
            while (done != null) {
                fetchOnce();
                done.complete(null);
                synchronized (this) {
                    running = next;
                    next = null;
                    done = running;
                }
            }
        } catch (Throwable e) { // fetchOnce rethrew (the JVM is out of memory): no fetch is under way any more
            endWaits();
            throw e;
        }
    }

    private void fetchOnce() {
        KbConfig kb = this.kb; // one registration for the whole fetch
        long start = System.nanoTime();
        try (Git git = Git.wrap(repository)) {
            Optional<CredentialsProvider> credentials = auth.credentials(kb);
            var fetch = git.fetch()
                    .setRemote(kb.remote())
                    .setRefSpecs(new RefSpec("+" + branchRef() + ":" + branchRef()))
                    .setTimeout(FETCH_TIMEOUT_SECONDS)
                    .setTransportConfigCallback(NoSsh.CALLBACK);
            credentials.ifPresent(fetch::setCredentialsProvider);
            Ref ref;
            try {
                fetch.call();
                ref = repository.exactRef(branchRef());
            } catch (org.eclipse.jgit.api.errors.TransportException e) {
                if (!noSuchBranch(e)) {
                    throw e;
                }
                ref = null; // the remote answered without the branch: no job wrote to the KB yet
            }
            if (ref == null) {
                empty = true;
                head = null;
                log.debug(
                        "read mirror of KB {}: the remote has no branch {} yet",
                        kb.id().value(),
                        kb.branch());
            } else {
                head = ref.getObjectId();
                empty = false;
            }
            fetchedAt = start;
            lastFailure = null;
            failures = 0;
            if (head == null) {
                return;
            }
            log.debug(
                    "read mirror of KB {} at {} ({} ms)",
                    kb.id().value(),
                    head.name(),
                    Duration.ofNanos(System.nanoTime() - start).toMillis());
            repackIfMany(kb);
        } catch (Exception | Error e) { // an Error too (a JGit assertion, a deep history's stack overflow)
            String without = auth.without(kb);
            lastFailure = describe(e) + (without == null ? "" : " (fetched without credentials: " + without + ")");
            failures++;
            failedAt = System.nanoTime();
            log.warn("fetching the read mirror of KB {} failed: {}", kb.id().value(), lastFailure);
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                throw (Error) e;
            }
        } finally {
            fetchEnded = true;
        }
    }

    /**
     * Repacks the mirror's packs into one (JGit's gc: loose objects too, refs packed) once there are more than {@link
     * #PACK_LIMIT}; on the fetch thread, after a fetch, so never beside another fetch of this mirror. The packs it
     * replaces are deleted at once: a read that was using one finds its objects in the new pack (JGit looks again).
     */
    private void repackIfMany(KbConfig kb) {
        if (!(repository instanceof FileRepository files)
                || files.getObjectDatabase().getPacks().size() <= PACK_LIMIT) {
            return;
        }
        long start = System.nanoTime();
        try {
            GC gc = new GC(files);
            gc.setPackExpireAgeMillis(0);
            gc.gc().join();
            log.debug(
                    "repacked the read mirror of KB {} ({} ms)",
                    kb.id().value(),
                    Duration.ofNanos(System.nanoTime() - start).toMillis());
        } catch (Exception e) {
            log.warn(
                    "repacking the read mirror of KB {} at {} failed: {}",
                    kb.id().value(),
                    dir,
                    describe(e));
        }
    }

    /** Whether the fetch failed only because the remote (which answered) does not advertise the KB's branch. */
    private boolean noSuchBranch(Exception e) {
        String absent = MessageFormat.format(JGitText.get().remoteDoesNotHaveSpec, branchRef());
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (absent.equals(cause.getMessage())) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null
                ? cause.getClass().getSimpleName()
                : cause instanceof Error
                        ? cause.getClass().getSimpleName() + ": " + cause.getMessage()
                        : cause.getMessage();
        return message.replaceAll("://[^@/\\s]+@", "://***@");
    }

    private String branchRef() {
        return "refs/heads/" + kb.branch();
    }

    /** Closes the repository; a fetch asked and never run (the fetch threads were shut) no longer keeps reads waiting. */
    @Override
    public void close() {
        synchronized (this) {
            retired = true;
            endWaits();
        }
        repository.close();
    }

    /** No fetch is under way any more: whoever waits for one goes on (with the snapshot as it is). */
    private synchronized void endWaits() {
        if (running != null) {
            running.complete(null);
            running = null;
        }
        if (next != null) {
            next.complete(null);
            next = null;
        }
    }
}
