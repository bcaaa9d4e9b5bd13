package dev.kbsync.coordinator.engine.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/** Redisson bridged into Vert.x: every result completes on the engine's context, never blocking it. */
public final class Redis {
    private final RedissonClient client;
    private final Context context;
    private final RScript scripts;

    public Redis(RedissonClient client, Context context) {
        this.client = client;
        this.context = context;
        this.scripts = client.getScript(StringCodec.INSTANCE);
    }

    public RedissonClient client() {
        return client;
    }

    public Context context() {
        return context;
    }

    public <T> Future<T> on(CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, context);
    }

    /** Runs a per-KB script; ARGV[1] is the KB's key prefix, then {@code args}. Returns the reply as strings. */
    public Future<List<String>> run(Script script, KbKeys keys, Object... args) {
        Object[] argv = new Object[args.length + 1];
        argv[0] = keys.prefix();
        for (int i = 0; i < args.length; i++) {
            argv[i + 1] = String.valueOf(args[i]);
        }
        return eval(script, keys.queue(), argv);
    }

    /** Runs a script whose only key is {@code key}. */
    public Future<List<String>> runOn(Script script, String key) {
        return eval(script, key);
    }

    private Future<List<String>> eval(Script script, String key, Object... argv) {
        CompletionStage<List<Object>> reply;
        try {
            reply = scripts.evalAsync(key, script.mode(), script.text(), RScript.ReturnType.LIST, List.of(key), argv);
        } catch (RuntimeException e) { // e.g. the client was shut down: fail the future, never the caller
            return Future.failedFuture(e);
        }
        return on(reply).map(Redis::strings);
    }

    private static List<String> strings(List<Object> reply) {
        List<String> out = new ArrayList<>(reply == null ? 0 : reply.size());
        if (reply != null) {
            reply.forEach(o -> out.add(String.valueOf(o)));
        }
        return out;
    }
}
