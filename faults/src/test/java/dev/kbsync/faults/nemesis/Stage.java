package dev.kbsync.faults.nemesis;

import dev.kbsync.faults.cluster.Cluster;
import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import dev.kbsync.faults.history.History;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a nemesis acts on: the cluster, the run's KBs, its seeded randomness, and the history it records faults in. */
public record Stage(Cluster cluster, List<String> kbs, Random random, History history, BooleanSupplier stop) {
    private static final Logger log = LoggerFactory.getLogger(Stage.class);

    public boolean stopping() {
        return stop.getAsBoolean();
    }

    /** Records that {@code what} is injected now. */
    public void fault(String what) {
        log.info("nemesis: {}", what);
        history.add(Event.now("nemesis", Type.INVOKE, Kind.FAULT, "", "", 0, -1, 0, what));
    }

    /** Records that {@code what} is healed now. */
    public void healed(String what) {
        log.info("nemesis healed: {}", what);
        history.add(Event.now("nemesis", Type.OK, Kind.FAULT, "", "", 0, -1, 0, what));
    }

    /** Sleeps up to {@code millis}, less when the load stops meanwhile. */
    public void sleep(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (!stopping() && System.currentTimeMillis() < deadline) {
            dev.kbsync.faults.client.Pause.millis(Math.min(50, Math.max(1, deadline - System.currentTimeMillis())));
        }
    }

    /** A random int in [from, to). */
    public int between(int from, int to) {
        return from + random.nextInt(to - from);
    }
}
