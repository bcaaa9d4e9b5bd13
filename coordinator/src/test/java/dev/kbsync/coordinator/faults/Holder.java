package dev.kbsync.coordinator.faults;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.service.LeaseService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A raw-lease client in a loop: request, heartbeat until granted, record the critical section, hold ~20 ms, release.
 * Any Redis failure abandons the attempt (the engine drops the waiter or expires the grant) and starts over.
 */
final class Holder implements Runnable {
    private static final Duration CALL = Duration.ofSeconds(3);
    private static final Duration GIVE_UP = Duration.ofSeconds(20);

    private final LeaseService leases;
    private final KbId kb;
    private final String name;
    private final List<Section> sections;
    private final AtomicBoolean stop;

    Holder(LeaseService leases, KbId kb, String name, List<Section> sections, AtomicBoolean stop) {
        this.leases = leases;
        this.kb = kb;
        this.name = name;
        this.sections = sections;
        this.stop = stop;
    }

    @Override
    public void run() {
        while (!stop.get()) {
            try {
                Lease granted = awaitGrant(Node.get(leases.request(kb, name, Duration.ofSeconds(2)), CALL));
                if (granted != null) {
                    hold(granted);
                }
            } catch (RuntimeException redisTrouble) {
                pause(100);
            }
        }
    }

    private Lease awaitGrant(Lease lease) {
        long giveUp = System.nanoTime() + GIVE_UP.toNanos();
        Lease current = lease;
        while (current.state() != LeaseState.GRANTED) {
            if (stop.get() || System.nanoTime() > giveUp) {
                return null;
            }
            pause(40);
            try {
                current = Node.get(leases.heartbeat(lease.id()), CALL);
            } catch (ConflictException lost) {
                return null;
            } catch (RuntimeException unreachable) {
                pause(100);
            }
        }
        return current;
    }

    private void hold(Lease lease) {
        long enter = System.nanoTime();
        pause(20);
        long exit = System.nanoTime();
        sections.add(new Section(kb.value(), name, lease.fencingToken(), enter, exit));
        try {
            Node.get(leases.release(lease.id()), CALL);
        } catch (RuntimeException unreachable) {
            // the grant expires after its TTL
        }
    }

    /** Starts {@code task} on a new named daemon thread. */
    static Thread thread(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
