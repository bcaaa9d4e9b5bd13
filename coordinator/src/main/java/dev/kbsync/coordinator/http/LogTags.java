package dev.kbsync.coordinator.http;

import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/** Puts a request's kb / job / lease into the logging MDC around one log call (the event loop is shared). */
final class LogTags {
    private LogTags() {}

    static void around(RoutingContext ctx, Runnable logCall) {
        around(tags(ctx), logCall);
    }

    static void around(Map<String, String> tags, Runnable logCall) {
        tags.forEach((k, v) -> {
            if (v != null) {
                MDC.put(k, v);
            }
        });
        try {
            logCall.run();
        } finally {
            tags.keySet().forEach(MDC::remove);
        }
    }

    private static Map<String, String> tags(RoutingContext ctx) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("kb", ctx.pathParam("kb"));
        String path = ctx.normalizedPath();
        if (path.startsWith("/v1/jobs/")) {
            tags.put("job", ctx.pathParam("id"));
        } else if (path.startsWith("/v1/leases/")) {
            tags.put("lease", ctx.pathParam("id"));
        }
        return tags;
    }
}
