package dev.kbsync.worker.run;

import dev.kbsync.git.GitException;
import dev.kbsync.git.RemoteUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cycle's wait for a remote that cannot be reached for now ({@link RemoteUnavailableException}): the pause before
 * each new try doubles from {@link #FIRST} up to {@link #LONGEST} (+-20 % jitter, so that the workers of a fleet do
 * not come back in step), for the whole cycle: a fetch that works between two refused pushes (a host whose receive
 * side is degraded) does not start them over. The unit decides how long it may wait
 * ({@link WorkUnit#pauseForRemote}); a unit that waited and gave up fails {@link #REMOTE_UNAVAILABLE}.
 */
final class RemoteOutage {
    private static final Logger log = LoggerFactory.getLogger(RemoteOutage.class);

    /** The job's error when its remote stayed unreachable until its grant's deadline: the job runs again. */
    static final String REMOTE_UNAVAILABLE = "REMOTE_UNAVAILABLE";

    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration LONGEST = Duration.ofSeconds(30);

    private final CycleObserver observer;
    private final Clock clock;
    private Duration next = FIRST;
    private int failures;
    private long firstFailureNanos;
    private boolean waited;
    /** Failed tries since the remote last answered (0: not waiting now), and when the first of them failed. */
    private int waitTries;

    private Instant waitSince;

    RemoteOutage(CycleObserver observer) {
        this(observer, Clock.systemUTC());
    }

    RemoteOutage(CycleObserver observer, Clock clock) {
        this.observer = observer;
        this.clock = clock;
    }

    /**
     * The remote failed with {@code e}: waits before the next try if {@code unit} waits for its remote; true to try
     * again, false to give up (the unit does not wait, or its time is up).
     */
    boolean waitAgain(WorkUnit unit, RemoteUnavailableException e) {
        if (failures++ == 0) {
            firstFailureNanos = System.nanoTime();
        }
        observer.remoteUnavailable();
        if (!unit.waitsForRemote()) {
            return false;
        }
        waited = true;
        if (waitTries++ == 0) {
            waitSince = clock.instant();
        }
        Duration pause = jittered(next);
        next = next.multipliedBy(2).compareTo(LONGEST) > 0 ? LONGEST : next.multipliedBy(2);
        log.warn(
                "the remote is unavailable ({} failure(s) in {} s): {}; {} tries again in {} ms",
                failures,
                secondsSinceFirst(),
                e.getMessage(),
                unit.id(),
                pause.toMillis());
        return unit.pauseForRemote(new RemoteWait(waitSince, waitTries, pause));
    }

    /**
     * The remote answered (a sync or a push went through): if {@code unit} was waiting for it, the wait is over
     * ({@link WorkUnit#remoteAnswered()}); a later failure begins a new one, its pauses still grown.
     */
    void answered(WorkUnit unit) {
        if (waitTries > 0) {
            waitTries = 0;
            unit.remoteAnswered();
        }
    }

    /**
     * The failure to report for {@code e}: {@link #REMOTE_UNAVAILABLE} if the remote was unavailable and the unit waited
     * for it, else empty (the usual code applies).
     */
    Optional<Outcome.Failed> failure(GitException e, int rejections) {
        if (!waited || !(e instanceof RemoteUnavailableException)) {
            return Optional.empty();
        }
        return Optional.of(new Outcome.Failed(
                REMOTE_UNAVAILABLE,
                "the remote could not be reached for " + secondsSinceFirst() + " s (" + failures
                        + " tries) before the job had to stop (its grant's deadline, or its worker's shutdown). Last: "
                        + e.getMessage(),
                rejections));
    }

    private long secondsSinceFirst() {
        return Duration.ofNanos(System.nanoTime() - firstFailureNanos).toSeconds();
    }

    private static Duration jittered(Duration pause) {
        long ms = pause.toMillis();
        return Duration.ofMillis(ms * 4 / 5 + ThreadLocalRandom.current().nextLong(ms * 2 / 5 + 1));
    }
}
