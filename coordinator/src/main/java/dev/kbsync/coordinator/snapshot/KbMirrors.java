package dev.kbsync.coordinator.snapshot;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.URIish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's read mirrors, one per KB that was read: created on the first read, refreshed every
 * {@code refreshEvery} while read in the last ten minutes (else fetched again by the next read before it is served),
 * when a job of the KB lands ({@link #landed}) and when a read asks for a commit the snapshot does not hold yet
 * ({@code after}, waited for at most {@code afterWait}). Fetches run on threads of their own ({@link Lanes}: at most
 * one per KB, a few per host), reads on {@code readThreads} others ({@link ReadThreads}: at most half of them per KB):
 * a read never waits for a KB's lock, a writer or another KB's fetch, a remote that never answers holds only its own
 * KBs' fetches, and a KB's slow reads hold only its own share of the read threads. The timer leaves a KB whose
 * fetches keep failing alone for longer after each failure (up to five minutes). A mirror
 * whose KB was removed or points at another remote or branch is retired: never served again, and deleted from disk
 * (on the timer thread) once the reads that may still use it are done. A registration that changes anything else (note
 * path, duplicate window, credentials) keeps the mirror, whose next fetch goes by it.
 */
public final class KbMirrors implements AutoCloseable {
    /** A mirror nobody read for this long is not fetched by the timer (landings still refresh it). */
    private static final Duration IDLE = Duration.ofMinutes(10);
    /** A retired mirror is deleted this long after the longest wait of a read that may still use it. */
    private static final Duration RETIRED_GRACE = Duration.ofSeconds(5);
    /** Fetches running at once, all KBs together. */
    private static final int FETCH_THREADS = 16;
    /**
     * Fetches running at once against one host: a host that never answers holds at most these, half the threads, so
     * that the KBs of one busy host (most KBs may live on one, github.com say) still fetch eight at a time.
     */
    private static final int FETCHES_PER_HOST = 8;
    /**
     * How long after the end of its wait (for a fetch, for a commit) a read may still wait for a read thread before it
     * is answered READS_BUSY: less than the request's bound, which gives the wait 4 s more.
     */
    private static final Duration READ_THREAD_GRACE = Duration.ofSeconds(2);
    /**
     * How often the mirror directory is looked over for what no mirror of this run uses (the first time once the
     * coordinator started): mirrors an earlier run left of KBs removed, or pointed at another remote or branch, since.
     */
    private static final Duration LEFTOVERS_EVERY = Duration.ofHours(1);
    /** The longest pause of the timer's fetches of a KB whose fetches keep failing. */
    private static final Duration MAX_FAILING_PAUSE = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(KbMirrors.class);

    private final MirrorDirs dirs;
    /** The directory this run made and removes at close (no {@code reads.mirrorDir}). */
    private final Optional<TempMirrorDir> temp;

    private final Duration grace;
    private final Duration afterWait;
    private final long idleNanos;
    private final FetchAuth auth;
    private final Consumer<KbId> onNewMirror;
    private final Consumer<KbId> onMirrorGone;
    private final Registrations registrations;
    private final Map<KbId, Mirror> mirrors = new ConcurrentHashMap<>();
    /** Set by {@link #close()}, under the monitor {@link #mirror} opens mirrors under. */
    private boolean closed;

    private final ExecutorService fetchThreads = Executors.newCachedThreadPool(daemons("kbsync-mirror-fetch"));
    private final Lanes fetches = new Lanes(fetchThreads, FETCH_THREADS, FETCHES_PER_HOST);
    private final long refreshNanos;
    private final ExecutorService readPool = Executors.newCachedThreadPool(daemons("kbsync-read"));
    private final ReadThreads reads;
    private final MirrorReads served;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(daemons("kbsync-mirror-timer"));

    private KbMirrors(
            Path dir,
            Optional<TempMirrorDir> temp,
            Duration refreshEvery,
            Duration afterWait,
            int readThreads,
            FetchAuth auth,
            Registrations registrations,
            Consumer<KbId> onNewMirror,
            Consumer<KbId> onMirrorGone) {
        this.registrations = registrations;
        this.dirs = new MirrorDirs(dir);
        this.temp = temp;
        this.afterWait = afterWait;
        this.grace = afterWait.plus(RETIRED_GRACE);
        this.idleNanos = IDLE.toNanos();
        this.refreshNanos = refreshEvery.toNanos();
        this.auth = auth;
        this.onNewMirror = onNewMirror;
        this.onMirrorGone = onMirrorGone;
        this.reads = new ReadThreads(readPool, readThreads, Math.max(1, readThreads / 2), READ_THREAD_GRACE);
        this.served = new MirrorReads(reads, afterWait, refreshEvery.toNanos(), idleNanos);
        long every = refreshEvery.toMillis();
        timer.scheduleWithFixedDelay(this::refreshAll, every, every, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(
                this::sweepLeftovers, grace.toMillis(), LEFTOVERS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Mirrors under {@code dir} (empty: a temporary directory removed at {@link #close()}); {@code onNewMirror} is told
     * of each KB that gets a mirror (to subscribe to its events), {@code onMirrorGone} of each KB whose mirror was
     * dropped without another taking its place (to unsubscribe: its KB was removed, or registered with another remote,
     * whose mirror the next read creates, telling {@code onNewMirror} again). {@code registrations} is looked up before
     * each fetch a landing or the timer sets going: a KB registered again elsewhere (another coordinator) is fetched
     * by its current registration, and a mirror whose KB is gone or points at another remote or branch is retired
     * instead of fetched.
     */
    public static KbMirrors start(
            Optional<Path> dir,
            Duration refreshEvery,
            Duration afterWait,
            int readThreads,
            FetchAuth auth,
            Registrations registrations,
            Consumer<KbId> onNewMirror,
            Consumer<KbId> onMirrorGone) {
        try {
            Optional<TempMirrorDir> temp = dir.isPresent()
                    ? Optional.empty()
                    : Optional.of(TempMirrorDir.create(Path.of(System.getProperty("java.io.tmpdir"))));
            Path base = dir.isPresent()
                    ? Files.createDirectories(dir.get())
                    : temp.get().path();
            return new KbMirrors(
                    base, temp, refreshEvery, afterWait, readThreads, auth, registrations, onNewMirror, onMirrorGone);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How long a read waits for the commit its {@code after} names (reads.afterWaitSeconds). */
    public Duration afterWait() {
        return afterWait;
    }

    /**
     * Runs {@code read} on the KB's snapshot (once it holds {@code after}, when given, waiting for it at most
     * {@code wait}) on a read thread of the KB's share. Fails with {@link UnavailableException} {@code
     * SNAPSHOT_UNAVAILABLE} (the remote could not be fetched yet) or {@code SNAPSHOT_BEHIND} (the commit did not
     * arrive within the wait), either setting a fetch going for the next read; or {@code READS_BUSY} (no read thread
     * was free within 2 s past the wait: the read did not run).
     */
    public <T> CompletableFuture<T> read(KbConfig kb, Optional<ObjectId> after, Duration wait, SnapshotRead<T> read) {
        long deadline = served.deadline(after, wait);
        Mirror known = mirrors.get(kb.id());
        if (known != null && known.mirrors(kb)) {
            known.configure(kb); // another note path, duplicate window or credentials: the same mirror
            return served.read(known, after, deadline, read);
        }
        // a new mirror is opened on disk, under the monitor the timer's clean-up takes too: not on the caller's loop
        return reads.run(kb.id(), deadline, () -> {
                    try {
                        return mirror(kb);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                })
                .thenCompose(mirror -> served.read(mirror, after, deadline, read));
    }

    /** A job of {@code kb} landed (or its lock changed hands): refresh its mirror if it has one. */
    public void landed(KbId kb) {
        Mirror mirror = mirrors.get(kb);
        if (mirror != null) {
            refreshIfCurrent(mirror);
        }
    }

    /**
     * Fetches {@code mirror} if its KB's registration (looked up now: it may have changed on another coordinator)
     * still names its remote and branch, by that registration; else retires it without fetching. A failed lookup
     * (Redis unreachable) fetches by the registration it has.
     */
    private void refreshIfCurrent(Mirror mirror) {
        KbId id = mirror.kb().id();
        CompletionStage<Optional<KbConfig>> lookup;
        try {
            lookup = registrations.get(id);
        } catch (RuntimeException e) {
            mirror.refresh();
            return;
        }
        lookup.whenComplete((found, failure) -> {
            if (failure != null) {
                mirror.refresh();
            } else if (found.isPresent() && mirror.mirrors(found.get())) {
                mirror.configure(found.get());
                mirror.refresh();
            } else {
                offLoop(() -> {
                    synchronized (this) {
                        if (mirrors.remove(id, mirror)) { // not one a read created meanwhile
                            retire(mirror);
                            onMirrorGone.accept(id);
                        }
                    }
                });
            }
        });
    }

    /** The mirror of {@code kb}'s remote and branch, opened if there is none yet (package-private for a test). */
    Mirror mirror(KbConfig kb) throws IOException {
        Mirror existing = mirrors.get(kb.id());
        if (existing != null && existing.mirrors(kb)) {
            existing.configure(kb);
            return existing;
        }
        synchronized (this) {
            if (closed) { // a read thread that ran on past the close: no mirror that nobody would close
                throw ReadThreads.stopping();
            }
            existing = mirrors.get(kb.id());
            if (existing != null && existing.mirrors(kb)) {
                existing.configure(kb);
                return existing;
            }
            // a fetch the shut threads refuse needs nothing here: closing them, close() closes every mirror, which
            // ends the waits for its fetches
            Mirror created =
                    Mirror.open(kb, dirs.of(kb), fetch -> fetches.execute(host(kb.remote()), fetch, () -> {}), auth);
            mirrors.put(kb.id(), created);
            if (existing != null) {
                retire(existing);
            } else {
                onNewMirror.accept(kb.id());
                // what an earlier run left of the KB under another remote (removed while this coordinator was down)
                timer.schedule(() -> sweep(kb.id()), grace.toMillis(), TimeUnit.MILLISECONDS);
            }
            return created; // its read fetches it first (MirrorReads): what a mirror reopened from disk holds may be
            // old
        }
    }

    /**
     * {@code kb} was removed: reads no longer get its mirror, which is deleted from disk once the reads already using
     * it are done.
     */
    public void forget(KbId kb) {
        offLoop(() -> {
            Mirror gone;
            synchronized (this) {
                gone = mirrors.remove(kb);
                if (gone != null) {
                    retire(gone);
                    onMirrorGone.accept(kb);
                }
            }
            if (gone == null) {
                sweep(kb); // what an earlier run left of it (a KB not read in this run)
            }
        });
    }

    /**
     * {@code kb} was registered (again) here: a mirror of another remote or branch is dropped at once (the next read
     * creates the new one), not at the next read; one of the same remote and branch stays, its next fetch going by the
     * new registration (its credentials).
     */
    public void registered(KbConfig kb) {
        offLoop(() -> {
            synchronized (this) {
                Mirror existing = mirrors.get(kb.id());
                if (existing == null) {
                    return;
                }
                if (existing.mirrors(kb)) {
                    existing.configure(kb);
                } else {
                    mirrors.remove(kb.id());
                    retire(existing);
                    onMirrorGone.accept(kb.id());
                }
            }
        });
    }

    /**
     * Runs {@code work} on the timer thread: callers are event loops, and a read creating a mirror holds the monitor
     * while it opens one on disk. Reads do not wait for it: they go by the registration, and a mirror of another
     * remote is replaced by the next read anyway.
     */
    private void offLoop(Runnable work) {
        try {
            timer.execute(work);
        } catch (RejectedExecutionException closed) {
            // closing: every mirror is closed with it
        }
    }

    /** Stops {@code old} fetching; after the grace (reads using it are done) closes it and deletes its directory. */
    private void retire(Mirror old) {
        old.retire();
        log.info("the read mirror of KB {} at {} is retired", old.kb().id().value(), old.dir());
        timer.schedule(
                () -> {
                    old.close();
                    sweep(old.kb().id());
                },
                grace.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Deletes the KB's mirror directories but the one its current mirror uses (runs on the timer thread). */
    private void sweep(KbId kb) {
        sweep(kb, Optional.empty());
    }

    /**
     * Deletes the KB's mirror directories but the one its current mirror uses, or, when it has none open, but
     * {@code unopened} (runs on the timer thread).
     */
    private void sweep(KbId kb, Optional<Path> unopened) {
        int moved;
        synchronized (this) { // a read creating the KB's mirror meanwhile waits for the renames only
            Mirror current = mirrors.get(kb);
            moved = dirs.setAside(kb, current == null ? unopened : Optional.of(current.dir()));
        }
        if (moved > 0) {
            dirs.emptyTrash();
            log.info("deleted {} read mirror(s) of KB {} no longer served", moved, kb.value());
        }
    }

    /**
     * Deletes the mirror directories of KBs no mirror of this run uses that are no longer registered with their remote
     * and branch (an earlier run's, for a KB removed or pointed elsewhere while this coordinator was down); keeps those
     * of KBs whose registration cannot be read now (Redis unreachable), for the next look.
     */
    private void sweepLeftovers() {
        for (KbId kb : dirs.kbs()) {
            if (mirrors.containsKey(kb)) {
                continue;
            }
            CompletionStage<Optional<KbConfig>> lookup;
            try {
                lookup = registrations.get(kb);
            } catch (RuntimeException e) {
                continue;
            }
            lookup.whenComplete((found, failure) -> {
                if (failure == null) {
                    offLoop(() -> sweep(kb, found.map(dirs::of)));
                }
            });
        }
    }

    private void refreshAll() {
        long maxPause = MAX_FAILING_PAUSE.toNanos();
        mirrors.values().stream()
                .filter(m -> m.readWithin(idleNanos) && m.dueForTimer(refreshNanos, maxPause))
                .forEach(this::refreshIfCurrent);
    }

    @Override
    public void close() {
        synchronized (this) { // from now on no mirror is opened: every one there is is closed below
            closed = true;
        }
        timer.shutdownNow();
        fetchThreads.shutdownNow();
        readPool.shutdownNow();
        mirrors.values().forEach(Mirror::close);
        mirrors.clear();
        temp.ifPresent(TempMirrorDir::close);
    }

    /**
     * The lane of a fetch of {@code remote}: its host and port, the scheme's default when left out ("" for local paths
     * and file URLs, or what cannot be parsed).
     */
    static String host(String remote) {
        try {
            URIish uri = new URIish(remote);
            return uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT) + ":" + port(uri);
        } catch (URISyntaxException e) {
            return "";
        }
    }

    /** The port, its scheme's default when the URL leaves it out (an scp-style address is SSH's). */
    private static int port(URIish uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        String scheme = uri.getScheme() == null ? "ssh" : uri.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            case "git" -> 9418;
            default -> 22; // ssh, git+ssh, ssh+git
        };
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The KBs' current registrations (in Redis), looked up from any thread. */
    @FunctionalInterface
    public interface Registrations {
        CompletionStage<Optional<KbConfig>> get(KbId kb);
    }

    /** A read of one snapshot (runs on a read thread; may block on the object database). */
    @FunctionalInterface
    public interface SnapshotRead<T> {
        T apply(Snapshot snapshot) throws IOException;
    }
}
