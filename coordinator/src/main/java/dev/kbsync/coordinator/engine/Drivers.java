package dev.kbsync.coordinator.engine;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.Outcomes.Granted;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/** This coordinator's KB drivers, created on first use. */
final class Drivers {
    private final Map<KbId, KbDriver> drivers = new ConcurrentHashMap<>();
    private final Redis redis;
    private final Tickets tickets;
    private final DriverSettings settings;
    private final BiConsumer<KbId, Granted> onGrant;

    Drivers(Redis redis, Tickets tickets, DriverSettings settings, BiConsumer<KbId, Granted> onGrant) {
        this.redis = redis;
        this.tickets = tickets;
        this.settings = settings;
        this.onGrant = onGrant;
    }

    KbDriver of(KbId kb) {
        return drivers.computeIfAbsent(
                kb, k -> new KbDriver(k, redis, tickets, settings, granted -> onGrant.accept(k, granted)));
    }

    /** Runs a round for {@code kb} (claiming the driver key if free); completes when the round is over. */
    Future<Void> pump(KbId kb) {
        return of(kb).pump();
    }

    /** Runs a round only where this coordinator already drives {@code kb} (reaction to another's change). */
    void pumpIfKnown(KbId kb) {
        KbDriver driver = drivers.get(kb);
        if (driver != null) {
            driver.pumpIfDriving();
        }
    }

    void resign(KbId kb) {
        KbDriver driver = drivers.get(kb);
        if (driver != null) {
            driver.resign();
        }
    }

    /** Gives up every KB this coordinator drives; the others' sweeps claim them and carry on. */
    Future<Void> stop() {
        return Future.all(drivers.values().stream().map(KbDriver::stop).toList())
                .mapEmpty();
    }
}
