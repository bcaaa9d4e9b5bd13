package dev.kbsync.coordinator.engine.driver;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.ticket.DriverSettings;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/** This coordinator's KB drivers, created on first use. */
public final class Drivers {
    private final Map<KbId, KbDriver> drivers = new ConcurrentHashMap<>();
    private final Redis redis;
    private final Tickets tickets;
    private final DriverSettings settings;
    private final BiConsumer<KbId, Granted> onGrant;

    public Drivers(Redis redis, Tickets tickets, DriverSettings settings, BiConsumer<KbId, Granted> onGrant) {
        this.redis = redis;
        this.tickets = tickets;
        this.settings = settings;
        this.onGrant = onGrant;
    }

    public KbDriver of(KbId kb) {
        return drivers.computeIfAbsent(
                kb, k -> new KbDriver(k, redis, tickets, settings, granted -> onGrant.accept(k, granted)));
    }

    /** Runs a round for {@code kb} (claiming the driver key if free); completes when the round is over. */
    public Future<Void> pump(KbId kb) {
        return of(kb).pump();
    }

    /** Runs a round only where this coordinator already drives {@code kb} (reaction to another's change). */
    public void pumpIfKnown(KbId kb) {
        KbDriver driver = drivers.get(kb);
        if (driver != null) {
            driver.pumpIfDriving();
        }
    }

    public void resign(KbId kb) {
        KbDriver driver = drivers.get(kb);
        if (driver != null) {
            driver.resign();
        }
    }

    /**
     * Drops the driver of a removed KB (its lock and driver key given up): ids come and go, and a driver kept for each
     * id ever seen would grow for the process's life. A KB registered again under the id gets a new one.
     */
    public void forget(KbId kb) {
        KbDriver driver = drivers.remove(kb);
        if (driver != null) {
            driver.stop();
        }
    }

    /** The KBs a driver is kept for. */
    public Set<KbId> known() {
        return Set.copyOf(drivers.keySet());
    }

    /** Gives up every KB this coordinator drives; the others' sweeps claim them and carry on. */
    public Future<Void> stop() {
        return Future.all(drivers.values().stream().map(KbDriver::stop).toList())
                .mapEmpty();
    }
}
