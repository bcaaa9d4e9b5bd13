package dev.kbsync.coordinator.engine.webhook;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.Webhooks;
import dev.kbsync.coordinator.engine.redis.OutageLog;
import dev.kbsync.coordinator.engine.redis.Redis;
import io.vertx.core.Future;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook deliveries of removed KBs. A delivery belongs to its finished job, not to the KB's registration, and a
 * removed KB's due deliveries are kept with its finished records; but the sweep, which starts each registered KB's
 * deliveries, no longer passes over a removed KB. So a KB is recorded in Redis ({@link OrphanedHooks}) before the step
 * that removes it, and every coordinator, those started after the removal included, starts the due deliveries of the
 * recorded KBs at each sweep (and at once when it hears of a removal), until a look finds that the KB has no delivery
 * left (due now or waiting for a retry), or at the latest until none can be left: the retry window ({@code
 * webhooks.retrySeconds}) and one delivery lease after the removal. A removed KB with nothing left to deliver costs
 * Redis nothing from then on; the record costs each coordinator one read per sweep. Runs on the engine context.
 */
public final class RemovedKbHooks {
    private static final Logger LOG = LoggerFactory.getLogger(RemovedKbHooks.class);
    private final OutageLog outage = new OutageLog(LOG, "reading the removed KBs with webhook deliveries left");
    private final Function<KbId, Future<Boolean>> deliver;
    private final OrphanedHooks orphans;
    private final boolean enabled;
    private boolean reading;

    /**
     * {@code deliver} starts a KB's due deliveries and tells whether it may have some left ({@link
     * WebhookDelivery#deliver}).
     */
    public RemovedKbHooks(Redis redis, Function<KbId, Future<Boolean>> deliver, Webhooks config) {
        this.deliver = deliver;
        this.orphans =
                new OrphanedHooks(redis, config.retry().plus(config.lease()).toMillis());
        this.enabled = config.enabled();
    }

    /**
     * {@code kb} is about to be removed: recorded first, so that no crash between the two steps loses its deliveries
     * (a removal that then does not happen leaves a record the next look drops, or that ends with the window).
     */
    public Future<Void> removing(KbId kb) {
        return enabled ? orphans.keep(kb) : Future.succeededFuture();
    }

    /** {@code kb} was removed (here or elsewhere): its due deliveries start now rather than at the next sweep. */
    public void removed(KbId kb) {
        tick();
    }

    /** One sweep: the due deliveries of every removed KB whose deliveries may not all be over. */
    public void tick() {
        if (!enabled || reading) {
            return;
        }
        reading = true;
        orphans.due().onComplete(ar -> {
            reading = false;
            if (ar.succeeded()) {
                outage.succeeded();
                ar.result().forEach(this::look);
            } else {
                outage.failed("their deliveries wait for the next sweep", ar.cause());
            }
        });
    }

    /** Starts the KB's due deliveries; a KB with none left leaves the record (unless it was removed again since). */
    private void look(KbId kb, String end) {
        deliver.apply(kb).onSuccess(left -> {
            if (!left) {
                orphans.drop(kb, end);
            }
        });
    }
}
