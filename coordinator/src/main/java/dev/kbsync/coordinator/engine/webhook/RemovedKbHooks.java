package dev.kbsync.coordinator.engine.webhook;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.Webhooks;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The webhook deliveries of removed KBs. A delivery belongs to its finished job, not to the KB's registration, and a
 * removed KB's due deliveries are kept with its finished records; but the sweep, which starts each KB's deliveries,
 * no longer passes over a removed KB. So every coordinator that hears of a removal starts the KB's deliveries at once
 * and again at each sweep, until Redis says the KB has no delivery left (due now or waiting for a retry), or at the
 * latest until none can be left: the retry window ({@code webhooks.retrySeconds}) and one delivery lease after the
 * removal. A removed KB with nothing left to deliver costs Redis nothing from then on. A coordinator started after the
 * removal does not know of it. Runs on the engine context.
 */
public final class RemovedKbHooks {
    private final Function<KbId, Future<Boolean>> deliver;
    private final long keepNanos;
    /** Removed KBs, with when their last delivery may have been due ({@link System#nanoTime()}). */
    private final Map<KbId, Long> until = new HashMap<>();

    /**
     * {@code deliver} starts a KB's due deliveries and tells whether it may have some left ({@link
     * WebhookDelivery#deliver}).
     */
    public RemovedKbHooks(Function<KbId, Future<Boolean>> deliver, Webhooks config) {
        this.deliver = deliver;
        this.keepNanos = config.retry().plus(config.lease()).toNanos();
    }

    /** {@code kb} was removed (here or elsewhere): its due deliveries start now and at every {@link #tick}. */
    public void removed(KbId kb) {
        long end = System.nanoTime() + keepNanos;
        until.put(kb, end);
        look(kb, end);
    }

    /** One sweep: the deliveries due of every removed KB whose deliveries may not all be over. */
    public void tick() {
        long now = System.nanoTime();
        until.values().removeIf(end -> now - end >= 0);
        Map.copyOf(until).forEach(this::look);
    }

    /** Starts the KB's due deliveries; a KB with none left is looked at no more (unless it is removed again). */
    private void look(KbId kb, long end) {
        deliver.apply(kb).onSuccess(left -> {
            if (!left) {
                until.remove(kb, end);
            }
        });
    }
}
