package dev.kbsync.faults.client;

import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import dev.kbsync.faults.history.History;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A raw-lease client in a loop: request a KB's lease, heartbeat while waiting (recording each position), hold it a few
 * ms once granted, release it. Each step goes to a random coordinator and lands in the history.
 */
public final class LeaseHolder implements Runnable {
    private static final long TTL_MS = 2000;
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final String name;
    private final Api api;
    private final List<String> kbs;
    private final History history;
    private final BooleanSupplier stop;
    private final Random random;

    public LeaseHolder(String name, Api api, List<String> kbs, History history, BooleanSupplier stop, long seed) {
        this.name = name;
        this.api = api;
        this.kbs = List.copyOf(kbs);
        this.history = history;
        this.stop = stop;
        this.random = new Random(seed);
    }

    @Override
    public void run() {
        while (!stop.getAsBoolean()) {
            String kb = kbs.get(random.nextInt(kbs.size()));
            record(Type.INVOKE, Kind.ACQUIRE, kb, "", 0, -1, 0, "");
            Answer answer;
            try {
                answer = api.post(
                        api.any(),
                        "/v1/kbs/" + kb + "/leases",
                        new JsonObject().put("holder", name).put("ttlMs", TTL_MS));
            } catch (ConnectException refused) {
                record(Type.FAIL, Kind.ACQUIRE, kb, "", 0, -1, 0, "connection refused");
                Pause.millis(200);
                continue;
            } catch (IOException e) {
                record(Type.UNKNOWN, Kind.ACQUIRE, kb, "", 0, -1, 0, "");
                Pause.millis(200);
                continue;
            }
            if (answer.status() != 202) {
                record(Type.FAIL, Kind.ACQUIRE, kb, "", 0, -1, answer.status(), answer.errorCode());
                Pause.millis(200);
                continue;
            }
            Answer granted = awaitGrant(kb, answer);
            if (granted != null) {
                record(
                        Type.OK,
                        Kind.ACQUIRE,
                        kb,
                        granted.string("id"),
                        granted.number("fencingToken"),
                        0,
                        200,
                        "granted");
                Pause.millis(10 + random.nextInt(40));
                release(kb, granted.string("id"));
            }
        }
    }

    private Answer awaitGrant(String kb, Answer requested) {
        String id = requested.string("id");
        Answer current = requested;
        long giveUp = System.nanoTime() + GIVE_UP_NANOS;
        while (!"granted".equals(current.string("state"))) {
            if (!"waiting".equals(current.string("state"))) {
                record(Type.FAIL, Kind.ACQUIRE, kb, id, 0, -1, current.status(), current.string("state"));
                return null;
            }
            record(Type.OK, Kind.READ, kb, id, 0, current.ahead(), current.status(), "waiting");
            if (stop.getAsBoolean() || System.nanoTime() > giveUp) {
                cancel(kb, id);
                return null;
            }
            Pause.millis(100);
            try {
                Answer beat = api.post(api.any(), "/v1/leases/" + id + "/heartbeat", null);
                if (beat.status() == 409 || beat.status() == 404) {
                    record(Type.FAIL, Kind.ACQUIRE, kb, id, 0, -1, beat.status(), beat.errorCode());
                    return null;
                }
                if (beat.status() == 200) {
                    current = beat;
                } else {
                    record(Type.FAIL, Kind.READ, kb, id, 0, -1, beat.status(), beat.errorCode());
                }
            } catch (IOException unanswered) {
                // keep heartbeating: the waiter stays queued for the waiter TTL
            }
        }
        return current;
    }

    /** Gave up waiting: the request may have been granted meanwhile, so its outcome is unknown. */
    private void cancel(String kb, String id) {
        record(Type.UNKNOWN, Kind.ACQUIRE, kb, id, 0, -1, 0, "gave up");
        try {
            api.delete(api.any(), "/v1/leases/" + id);
        } catch (IOException unanswered) {
            // the waiter leaves the queue after the waiter TTL
        }
    }

    private void release(String kb, String id) {
        record(Type.INVOKE, Kind.RELEASE, kb, id, 0, -1, 0, "");
        try {
            Answer answer = api.delete(api.any(), "/v1/leases/" + id);
            if (answer.status() == 200) {
                record(Type.OK, Kind.RELEASE, kb, id, 0, -1, 200, answer.string("state"));
            } else {
                record(Type.FAIL, Kind.RELEASE, kb, id, 0, -1, answer.status(), answer.errorCode());
            }
        } catch (IOException e) {
            record(Type.UNKNOWN, Kind.RELEASE, kb, id, 0, -1, 0, "");
        }
    }

    private void record(Type type, Kind kind, String kb, String id, long token, int ahead, int status, String state) {
        history.add(Event.now(name, type, kind, kb, id, token, ahead, status, state));
    }
}
