package dev.kbsync.coordinator.engine.webhook;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.Webhooks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The webhook deliveries of removed KBs. A delivery belongs to its finished job, not to the KB's registration, and a
 * removed KB's due deliveries are kept with its finished records; but the sweep, which starts each KB's deliveries,
 * no longer passes over a removed KB. So every coordinator that hears of a removal starts the KB's deliveries at once
 * and again at each sweep, until no delivery can be left: the retry window ({@code webhooks.retrySeconds}) and one
 * delivery lease after the removal. A coordinator started after the removal does not know of it. Runs on the engine
 * context.
 */
public final class RemovedKbHooks {
    private final Consumer<KbId> deliver;
    private final long keepNanos;
    /** Removed KBs, with when their last delivery may have been due ({@link System#nanoTime()}). */
    private final Map<KbId, Long> until = new HashMap<>();

    /** {@code deliver} starts a KB's due deliveries ({@link WebhookDelivery#deliver}). */
    public RemovedKbHooks(Consumer<KbId> deliver, Webhooks config) {
        this.deliver = deliver;
        this.keepNanos = config.retry().plus(config.lease()).toNanos();
    }

    /** {@code kb} was removed (here or elsewhere): its due deliveries start now and at every {@link #tick}. */
    public void removed(KbId kb) {
        until.put(kb, System.nanoTime() + keepNanos);
        deliver.accept(kb);
    }

    /** One sweep: the deliveries due of every removed KB whose deliveries may not all be over. */
    public void tick() {
        long now = System.nanoTime();
        until.values().removeIf(end -> now - end >= 0);
        List.copyOf(until.keySet()).forEach(deliver);
    }
}
