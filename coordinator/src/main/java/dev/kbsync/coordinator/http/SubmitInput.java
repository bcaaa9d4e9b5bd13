package dev.kbsync.coordinator.http;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.config.Webhooks;
import dev.kbsync.coordinator.service.Retried;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;

/**
 * A submission as read and validated from its request, before it needs Redis ({@code POST /v1/kbs/{kb}/notes} and
 * {@code .../agent-tasks}; a retry's is made from its old job); {@code retryOf}: the job it submits again.
 */
record SubmitInput(
        KbId kb, String user, JobPayload payload, String callbackUrl, Optional<String> key, Optional<Retried> retryOf) {

    /** A note's submission: {@code user}, {@code text}, {@code title}, {@code path}, {@code callbackUrl}. */
    static SubmitInput note(RoutingContext ctx, int maxTextChars, Webhooks webhooks) {
        KbId kb = KbId.of(ctx.pathParam("kb"));
        Fields body = Bodies.object(ctx, "user", "text", "title", "path", "callbackUrl");
        String user = user(ctx, body);
        JobPayload note = new JobPayload.Note(
                Inputs.text("text", body.string("text"), maxTextChars),
                body.optString("title").map(Inputs::title).orElse(null),
                body.optString("path").map(Inputs::newPath).orElse(null));
        return new SubmitInput(kb, user, note, callbackUrl(body, webhooks), idempotencyKey(ctx), Optional.empty());
    }

    /** An agent task's submission: {@code user}, {@code task}, {@code callbackUrl}. */
    static SubmitInput agentTask(RoutingContext ctx, int maxTextChars, Webhooks webhooks) {
        KbId kb = KbId.of(ctx.pathParam("kb"));
        Fields body = Bodies.object(ctx, "user", "task", "callbackUrl");
        String user = user(ctx, body);
        JobPayload task = new JobPayload.Agent(Inputs.text("task", body.string("task"), maxTextChars));
        return new SubmitInput(kb, user, task, callbackUrl(body, webhooks), idempotencyKey(ctx), Optional.empty());
    }

    /** The Idempotency-Key header, if sent; sent twice it is refused, as which one was meant cannot be told. */
    private static Optional<String> idempotencyKey(RoutingContext ctx) {
        List<String> keys = ctx.request().headers().getAll("Idempotency-Key");
        if (keys.size() > 1) {
            throw new InvalidInputException("INVALID_IDEMPOTENCY_KEY", "Idempotency-Key is sent more than once");
        }
        return keys.stream().findFirst().map(k -> Inputs.id("INVALID_IDEMPOTENCY_KEY", "Idempotency-Key", k));
    }

    /** The body's callbackUrl, validated ('': none). */
    private static String callbackUrl(Fields body, Webhooks webhooks) {
        return body.optString("callbackUrl")
                .map(url -> Inputs.callbackUrl(url, webhooks))
                .orElse("");
    }

    /** The body's user, or the caller's one fixed user when the body names none; 403 SCOPE_USER outside its users. */
    private static String user(RoutingContext ctx, Fields body) {
        Caller caller = Caller.of(ctx);
        String user = Inputs.user(body.optString("user").or(caller::fixedUser).orElseGet(() -> body.string("user")));
        caller.checkUser(user, "submit as");
        return user;
    }
}
