package dev.kbsync.coordinator.http;

import dev.kbsync.api.TokenInfo;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.auth.NamePatterns;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /v1/whoami}: what the request's token may do, so that a bot can check its token before it works and the
 * dashboard offers admin actions to admin tokens only. The secret is never sent back; Redis is not read.
 */
final class WhoAmI implements Handler<RoutingContext> {
    @Override
    public void handle(RoutingContext ctx) {
        Caller caller = Caller.of(ctx);
        TokenInfo info = new TokenInfo(
                caller.name(), caller.role().wire(), items(caller.kbs()), items(caller.users()), caller.quota());
        Responses.ok(ctx, info.toJson());
    }

    /** {@code ["*"]} for every name. */
    private static List<String> items(NamePatterns patterns) {
        return patterns.any() ? List.of("*") : patterns.patterns();
    }
}
