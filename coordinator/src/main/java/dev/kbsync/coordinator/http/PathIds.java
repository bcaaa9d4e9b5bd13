package dev.kbsync.coordinator.http;

import dev.kbsync.api.KbId;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Checks a route's path ids (a KB name, a job, lease or worker id) before its Redis gate: a malformed one is answered
 * 400 as with Redis up, not 503 while Redis is down (a 503 tells the caller to retry a request no retry can mend).
 * The handlers read the same ids again through the same checks.
 */
final class PathIds {
    private PathIds() {}

    /** The check of {@code path}'s ids, or none when it has none. */
    static Handler<RoutingContext> of(String path) {
        List<Consumer<RoutingContext>> checks = new ArrayList<>();
        if (path.contains("/:kb")) {
            checks.add(ctx -> KbId.of(ctx.pathParam("kb")));
        }
        if (path.contains("/:workerId")) {
            checks.add(WorkerRoutes::workerId);
        }
        if (path.startsWith("/v1/jobs/:id")) {
            checks.add(JobRoutes::jobId);
        }
        if (path.startsWith("/v1/leases/:id")) {
            checks.add(LeaseRoutes::leaseId);
        }
        if (checks.isEmpty()) {
            return RoutingContext::next;
        }
        return ctx -> {
            checks.forEach(check -> check.accept(ctx));
            ctx.next();
        };
    }
}
