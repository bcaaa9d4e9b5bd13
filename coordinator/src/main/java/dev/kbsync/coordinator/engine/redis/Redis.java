package dev.kbsync.coordinator.engine.redis;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.error.UnconfirmedWrite;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.redisson.api.BatchOptions;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.RedisBusyException;
import org.redisson.client.RedisClusterDownException;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.RedisLoadingException;
import org.redisson.client.RedisMasterDownException;
import org.redisson.client.RedisNoScriptException;
import org.redisson.client.RedisNodeNotFoundException;
import org.redisson.client.RedisOutOfMemoryException;
import org.redisson.client.RedisReadonlyException;
import org.redisson.client.RedisReconnectedException;
import org.redisson.client.RedisRetryException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.RedisTryAgainException;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redisson bridged into Vert.x: every result completes on the engine's context, never blocking it. A durable script
 * ({@link Script#durable()}) runs in a batch with a write of its own ({@link KbKeys#ack}) and {@code WAIT} for
 * {@link Replication#replicas()} replicas: if fewer confirm within the timeout, the call fails with
 * {@code REPLICATION_TIMEOUT} (503) although the master ran it, so nobody is told of a job or grant a failover could
 * lose. Lost connections and timeouts fail with
 * {@code REDIS_UNAVAILABLE} (503).
 */
public final class Redis {
    private static final Logger LOG = LoggerFactory.getLogger(Redis.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** How long the key a durable step writes ({@link KbKeys#ack}) lives: only its replication matters. */
    private static final Duration ACK_TTL = Duration.ofSeconds(10);

    private final RedissonClient client;
    private final Context context;
    private final RScript scripts;
    /** Read-only scripts: sent again after a late answer or a lost connection, as Redisson does by default. */
    private final RScript reads;

    private final Replication replication;

    /** How many replicas confirm durable writes, how long to wait for them, and who hears of a shortfall. */
    /**
     * How many replicas must confirm a durable step ({@code wanted}, asked at each step: {@code auto} may turn it from
     * 0 to 1 while the coordinator runs, see {@link AutoReplicas}), within {@code timeout}.
     */
    public record Replication(IntSupplier wanted, Duration timeout, Consumer<KbId> onShortfall) {
        public static Replication none() {
            return new Replication(() -> 0, Duration.ofSeconds(1), kb -> {});
        }

        /** The replicas a durable step waits for now. */
        public int replicas() {
            return wanted.getAsInt();
        }
    }

    public Redis(RedissonClient client, Context context, Replication replication) {
        this.client = client;
        this.context = context;
        this.replication = replication;
        this.scripts = steps(client);
        this.reads = client.getScript(StringCodec.INSTANCE);
    }

    /**
     * Scripts that are sent once: Redisson sends a command again after its timeout, and a step run twice answers for
     * its second run (a cancel that took effect answers JOB_ENDED, a claim is dropped, a counted submission is counted
     * again). A step whose answer is late fails as 503 REDIS_UNAVAILABLE instead; its caller knows it may have run.
     * Reads keep Redisson's retries, which also carry them over a failover.
     */
    public static RScript steps(RedissonClient client) {
        return client.getScript(
                OptionalOptions.defaults().codec(StringCodec.INSTANCE).retryAttempts(0));
    }

    public RedissonClient client() {
        return client;
    }

    public Context context() {
        return context;
    }

    public <T> Future<T> on(CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, context).recover(Redis::unavailable);
    }

    /**
     * Runs a script of the engine outside the per-KB steps on {@code keys} (all in one hash slot, routed by the first);
     * the reply is the script's list, the arguments go as strings. Sent once, as a step ({@link #steps}), unless
     * {@code resend} (an idempotent script keeps Redisson's retries).
     */
    public Future<List<Object>> list(String script, boolean resend, List<Object> keys, Object... args) {
        Object[] argv = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            argv[i] = String.valueOf(args[i]);
        }
        try {
            return on((resend ? reads : scripts)
                    .evalAsync(
                            (String) keys.get(0),
                            RScript.Mode.READ_WRITE,
                            script,
                            RScript.ReturnType.LIST,
                            keys,
                            argv));
        } catch (RuntimeException e) { // e.g. the client was shut down: fail the future, never the caller
            return Future.failedFuture(e);
        }
    }

    /** Runs a per-KB script with every key of the KB declared; the reply is the script's JSON object. */
    public Future<JsonObject> run(Script script, KbKeys keys, List<Object> argv) {
        return run(script, keys, List.of(), argv);
    }

    /** {@link #run(Script, KbKeys, List)} with {@code more} keys declared after the KB's. */
    public Future<JsonObject> run(Script script, KbKeys keys, List<Object> more, List<Object> argv) {
        List<Object> declared = keys.all();
        if (!more.isEmpty()) {
            declared = new ArrayList<>(declared);
            declared.addAll(more);
        }
        Object[] args = argv.stream().map(String::valueOf).toArray();
        try {
            if (script.durable() && replication.replicas() > 0) {
                return durably(script, keys, declared, args);
            }
            RScript via = script.mode() == RScript.Mode.READ_ONLY ? reads : scripts;
            return on(via.evalAsync(
                            keys.queue(), script.mode(), script.text(), RScript.ReturnType.VALUE, declared, args))
                    .map(reply -> new JsonObject((String) reply));
        } catch (RuntimeException e) { // e.g. the client was shut down: fail the future, never the caller
            return Future.failedFuture(e);
        }
    }

    /**
     * Runs {@code text}, a script on {@code keys} (one slot, routed by the first) outside the per-KB steps, sent once
     * ({@link #steps}) and durable as they are when replicas are wanted: with a write of {@code ack} (a key of its own
     * in that slot, see {@link KbKeys#ack}) and {@code WAIT}; a shortfall fails it as {@code REPLICATION_TIMEOUT} and
     * counts for {@code kb}. {@code name} names it in the logs. The reply is the script's value (a string or a number).
     */
    public Future<Object> durable(KbId kb, String name, String text, String ack, List<Object> keys, Object... args) {
        Object[] argv = Arrays.stream(args).map(String::valueOf).toArray();
        try {
            if (replication.replicas() > 0) {
                return durably(
                        new Durable(kb, name, RScript.Mode.READ_WRITE, text, (String) keys.get(0), ack), keys, argv);
            }
            return on(scripts.evalAsync(
                    (String) keys.get(0), RScript.Mode.READ_WRITE, text, RScript.ReturnType.VALUE, keys, argv));
        } catch (RuntimeException e) { // e.g. the client was shut down: fail the future, never the caller
            return Future.failedFuture(e);
        }
    }

    /** A durable script: for whom, its name, how and where it runs, and the key it writes of its own. */
    private record Durable(KbId kb, String name, RScript.Mode mode, String text, String route, String ack) {}

    private Future<JsonObject> durably(Script script, KbKeys keys, List<Object> declared, Object[] args) {
        Durable step = new Durable(keys.kb(), script.name(), script.mode(), script.text(), keys.queue(), keys.ack());
        return durably(step, declared, args).map(reply -> new JsonObject((String) reply));
    }

    /**
     * A master without the script in its cache (a replica promoted by a failover: Redis does not replicate the script
     * cache, and a batch does not fall back to {@code EVAL}) answers NOSCRIPT before running anything: load the script
     * there and run the batch again, once.
     */
    private Future<Object> durably(Durable step, List<Object> declared, Object[] args) {
        return durablyOnce(step, declared, args).recover(e -> {
            if (!(e instanceof RedisNoScriptException)) {
                return Future.failedFuture(e);
            }
            LOG.info(
                    "KB {}: {} is not in the master's script cache (after a failover?); loading it",
                    step.kb(),
                    step.name());
            return on(scripts.scriptLoadAsync(step.text())).compose(sha -> durablyOnce(step, declared, args));
        });
    }

    /**
     * The script, then a write of its {@link Durable#ack} in its slot, then {@code WAIT}, in one pipeline (one round
     * trip): see {@link KbKeys#ack} for why the write.
     */
    private Future<Object> durablyOnce(Durable step, List<Object> declared, Object[] args) {
        RBatch batch = client.createBatch(BatchOptions.defaults()
                .sync(replication.replicas(), replication.timeout())
                .retryAttempts(0)); // sent once, as every step (see steps)
        RFuture<Object> reply = batch.getScript(StringCodec.INSTANCE)
                .evalAsync(step.route(), step.mode(), step.text(), RScript.ReturnType.VALUE, declared, args);
        batch.getBucket(step.ack(), StringCodec.INSTANCE).setAsync(step.name(), ACK_TTL);
        return on(batch.executeAsync())
                .compose(result -> confirmed(step, result)
                        ? on(reply)
                        : Future.failedFuture(new UnconfirmedWrite(
                                "Redis did not confirm the write on " + replication.replicas() + " replica(s) within "
                                        + replication.timeout().toMillis() + " ms; retry",
                                RETRY_AFTER,
                                withheld(reply))));
    }

    /** The script's reply in a batch that completed, if a per-KB step's (JSON), or null. */
    private static JsonObject withheld(RFuture<Object> reply) {
        try {
            Object r = reply.toCompletableFuture().getNow(null);
            return r instanceof String json ? new JsonObject(json) : null;
        } catch (RuntimeException failed) {
            return null;
        }
    }

    private boolean confirmed(Durable step, BatchResult<?> result) {
        if (result.getSyncedSlaves() >= replication.replicas()) {
            return true;
        }
        LOG.warn(
                "KB {}: {} confirmed by {} of {} replica(s) within {} ms; answering 503 REPLICATION_TIMEOUT",
                step.kb(),
                step.name(),
                result.getSyncedSlaves(),
                replication.replicas(),
                replication.timeout().toMillis());
        replication.onShortfall().accept(step.kb());
        return false;
    }

    /**
     * Redis could not take the command now (no connection or answer, loading, busy, out of memory, a master down or
     * read-only during a failover, a slot migrating: {@code TRYAGAIN} before a script wrote anything): 503, retry.
     */
    public static <T> Future<T> unavailable(Throwable e) {
        if (notAnswered(e)) {
            LOG.debug("Redis unavailable: {}", e.toString());
            return Future.failedFuture(new UnavailableException(
                    ErrorCodes.REDIS_UNAVAILABLE, "Redis did not answer in time; retry", RETRY_AFTER));
        }
        return Future.failedFuture(e);
    }

    /**
     * Whether {@code e}, or what caused it, says Redis could not take or answer the command now. A step sent once (no
     * resend, {@link #steps}) that finds no connection fails with Redisson's generic exception around the socket's.
     */
    private static boolean notAnswered(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (unavailableNow(cause) || cause instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    private static boolean unavailableNow(Throwable e) {
        return e instanceof RedisConnectionException
                || e instanceof RedisTimeoutException
                || e instanceof RedisNodeNotFoundException
                || e instanceof RedisLoadingException
                || e instanceof RedisBusyException
                || e instanceof RedisOutOfMemoryException
                || e instanceof RedisMasterDownException
                || e instanceof RedisReadonlyException
                || e instanceof RedisClusterDownException
                || e instanceof RedisTryAgainException
                || e instanceof RedisRetryException
                || e instanceof RedisReconnectedException // the connection dropped and came back under the step
                || e instanceof RedisException && refusedWrites(e.getMessage());
    }

    /**
     * A refusal Redisson has no type for: MISCONF (Redis cannot persist, so it takes no write), also as Redis 6 wraps a
     * script's ({@code ERR Error running script ... -MISCONF ...}); and the refusals Redisson types only unwrapped, met
     * inside a script on Redis 6.2: READONLY (a master a failover demoted while the script was sent) and NOREPLICAS.
     */
    private static boolean refusedWrites(String message) {
        return message != null
                && (message.startsWith("MISCONF ")
                        || message.contains("-MISCONF ")
                        || message.contains("-READONLY ")
                        || message.contains("-NOREPLICAS "));
    }
}
