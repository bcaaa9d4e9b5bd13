package dev.kbsync.worker.client;

import dev.kbsync.api.Assignment;
import dev.kbsync.vertx.OnContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The worker protocol over HTTP. Every call returns a Vert.x {@link Future} (never blocks); failures are
 * {@link CoordinatorException.LeaseLost}, {@link CoordinatorException.Unreachable} or
 * {@link CoordinatorException.Refused}. Heartbeats and results are retried on connection errors.
 *
 * <p>Callers are mostly plain threads (poll slots, job runners, library sessions), so each request is built on one
 * context of the client ({@link OnContext}), and each has a deadline a little past its idle timeout: a response that is
 * lost anyway fails as {@link CoordinatorException.Unreachable} instead of hanging the worker.
 */
public final class CoordinatorClient implements AutoCloseable {
    /** How long past a request's idle timeout its overall deadline falls. */
    private static final long DEADLINE_MARGIN_MS = 5_000;

    private final Vertx vertx;
    private final Context context;
    private final WebClient web;
    private final URI base;
    private final String authorization;
    private final RetryPolicy retry;

    /** {@code base} is the coordinator's URL; API paths resolve under it. */
    public CoordinatorClient(Vertx vertx, URI base, String token, RetryPolicy retry) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000));
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
        this.authorization = "Bearer " + token;
        this.retry = retry;
    }

    /** Long-polls for a granted job; empty when none came within {@code wait}. */
    public Future<Optional<Assignment>> poll(String workerId, Duration wait) {
        JsonObject body = new JsonObject().put("waitMs", wait.toMillis());
        return post("/v1/workers/" + workerId + "/poll", body, wait.toMillis() + 15_000)
                .map(json -> Optional.ofNullable(json).map(Assignment::fromJson));
    }

    /** Extends the lease; fails with {@link CoordinatorException.LeaseLost} once it is gone. */
    public Future<JsonObject> heartbeat(String leaseId) {
        return retry.run(vertx, () -> post("/v1/leases/" + leaseId + "/heartbeat", new JsonObject(), 10_000));
    }

    /**
     * Group commit: takes up to {@code max} queued note jobs right behind the note job of {@code leaseId}, each with
     * its own lease and fencing token, all kept alive by the heartbeats of {@code leaseId}. Retried on connection
     * errors (the coordinator answers a retry with the same jobs).
     */
    public Future<List<Assignment>> extend(String leaseId, int max) {
        JsonObject body = new JsonObject().put("max", max);
        return retry.run(vertx, () -> post("/v1/leases/" + leaseId + "/extend", body, 15_000))
                .map(json -> json.getJsonArray("assignments").stream()
                        .map(a -> Assignment.fromJson((JsonObject) a))
                        .toList());
    }

    /** Reports the job's outcome; the coordinator releases the lease in the same step. */
    public Future<JsonObject> report(JobReport report) {
        return retry.run(
                vertx,
                () -> post(
                        "/v1/jobs/" + report.jobId() + "/result",
                        report.outcome().toJson(),
                        15_000));
    }

    /** Any other call of the coordinator's API (library mode uses the raw lease API); {@code body} may be null. */
    public Future<JsonObject> call(HttpMethod method, String path, JsonObject body) {
        return exchange(15_000, () -> {
            HttpRequest<Buffer> request = web.requestAbs(method, url(path))
                    .putHeader("Authorization", authorization)
                    .timeout(15_000);
            return body == null ? request.send() : request.sendJsonObject(body);
        });
    }

    private Future<JsonObject> post(String path, JsonObject body, long timeoutMs) {
        return exchange(
                timeoutMs,
                () -> web.postAbs(url(path))
                        .putHeader("Authorization", authorization)
                        .timeout(timeoutMs)
                        .sendJsonObject(body));
    }

    /** Sends on the client's context, with a deadline past the idle timeout; the outcome classified. */
    private Future<JsonObject> exchange(long timeoutMs, Supplier<Future<HttpResponse<Buffer>>> send) {
        return OnContext.run(context, Duration.ofMillis(timeoutMs + DEADLINE_MARGIN_MS), send)
                .transform(ResponseClassifier::classify);
    }

    private String url(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path).toString();
    }

    @Override
    public void close() {
        web.close();
    }
}
