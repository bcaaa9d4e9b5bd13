package dev.kbsync.coordinator.http;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.service.KbRegistry;
import dev.kbsync.coordinator.service.KbRemoval;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code DELETE /v1/kbs/{kb}}: 204 removed, 404 KB_NOT_FOUND, 409 KB_BUSY (nothing removed). */
final class KbRemovalRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(KbRemovalRoutes.class);

    private final KbRegistry kbs;

    KbRemovalRoutes(KbRegistry kbs) {
        this.kbs = kbs;
    }

    void handleRemove(RoutingContext ctx) {
        KbId kb = KbId.of(ctx.pathParam("kb"));
        kbs.remove(kb)
                .onSuccess(result -> {
                    if (result instanceof KbRemoval.Removed removed) {
                        LOG.info(
                                "KB {} removed by {}; {} finished records kept for the retention",
                                kb.value(),
                                Caller.of(ctx).name(),
                                removed.kept());
                        if (!Responses.answered(ctx)) { // a 503 after the Redis bound may have come first
                            ctx.response().setStatusCode(204).end();
                        }
                    } else if (result instanceof KbRemoval.Busy busy) {
                        ctx.fail(busy(kb, busy));
                    } else {
                        ctx.fail(new NotFoundException("KB_NOT_FOUND", "no KB " + kb.value()));
                    }
                })
                .onFailure(ctx::fail);
    }

    private static ConflictException busy(KbId kb, KbRemoval.Busy busy) {
        return new ConflictException(
                ErrorCodes.KB_BUSY,
                "KB " + kb.value() + " is in use: " + busy.queued() + " queued, " + busy.running()
                        + " running; nothing was removed (cancel its jobs or wait for them, then remove it)");
    }
}
