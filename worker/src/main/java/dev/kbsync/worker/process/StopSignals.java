package dev.kbsync.worker.process;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM, SIGINT and SIGHUP as a request to stop, answered before the JVM begins to shut down. A graceful stop must
 * run outside the JVM's shutdown: JGit releases every lock file it holds from a shutdown hook of its own, so a job still
 * finishing its cycle during the shutdown would lose its index lock after its push and fail although it landed. The
 * process drains first and exits afterwards, with the status a shell gives a process the signal ended (128 + its
 * number: 143 for SIGTERM, 130 for SIGINT, 129 for SIGHUP). A signal the JVM cannot take (started with {@code -Xrs},
 * or SIGINT ignored by a non-interactive shell) stops the JVM through its shutdown hooks, as before.
 */
public final class StopSignals {
    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> STOP = List.of("TERM", "INT", "HUP");

    private final CountDownLatch requested = new CountDownLatch(1);
    private volatile int number;

    private StopSignals() {}

    /** Takes SIGTERM, SIGINT and SIGHUP from now on. */
    public static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : STOP) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    log.info("SIG{} received: stopping", name);
                    signals.number = signal.getNumber();
                    signals.requested.countDown();
                });
            } catch (IllegalArgumentException e) {
                log.warn("cannot take SIG{} ({}): it stops the JVM through its shutdown hooks", name, e.getMessage());
            }
        }
        return signals;
    }

    /** Whether a stop signal arrived already. */
    public boolean requested() {
        return requested.getCount() == 0;
    }

    /** Blocks until a stop signal arrived. */
    public void await() throws InterruptedException {
        requested.await();
    }

    /** 128 + the number of the signal that arrived, the status to exit with once stopped. */
    public int exitCode() {
        return 128 + number;
    }
}
