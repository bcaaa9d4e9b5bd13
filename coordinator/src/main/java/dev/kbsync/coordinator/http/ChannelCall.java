package dev.kbsync.coordinator.http;

import dev.kbsync.api.Lease;
import dev.kbsync.coordinator.health.RedisHealth;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * One frame's call on a lease channel, answered once: by its result, or with 503 REDIS_UNAVAILABLE at once while Redis
 * is down and once Redis's bound is over; a waiting request's moves in the queue go before its answer when it asked
 * for them. Counted in its channel's calls while under way ({@link ChannelHoldings}).
 */
final class ChannelCall implements LeaseWait.Requester {
    private final LeaseChannel channel;
    private final String ref;
    private final boolean positions;
    private final long timer;
    private Runnable onGone = () -> {};
    private boolean answered;
    /** The lease a request created (null before, and for other calls). */
    private String leaseId;
    /** Whether the call is a lease request (counted as requesting until its lease is known or it ends). */
    private final boolean request;

    ChannelCall(LeaseChannel channel, String ref, Duration wait, boolean positions, boolean request) {
        this.channel = channel;
        this.ref = ref;
        this.positions = positions;
        this.request = request;
        channel.holdings().began(this);
        this.timer = channel.vertx()
                .setTimer(channel.bound().deadline().plus(wait).toMillis(), t -> gone(RedisHealth.unavailable()));
        if (!channel.bound().health().up()) {
            gone(RedisHealth.unavailable());
        }
    }

    boolean open() {
        return !answered;
    }

    /** Whether the call is a lease request. */
    boolean request() {
        return request;
    }

    /** Whether the call is a lease request whose lease exists. */
    boolean leaseKnown() {
        return leaseId != null;
    }

    /** The request's lease exists: it lives with the channel from now on, until it ends or is lost. */
    void requested(String id) {
        leaseId = id;
        ChannelHoldings holdings = channel.holdings();
        holdings.hold(id, () -> channel.here(() -> holdings.letGo(id)));
    }

    @Override
    public Vertx vertx() {
        return channel.vertx();
    }

    @Override
    public boolean gone() {
        return answered;
    }

    @Override
    public void onGone(Runnable then) {
        onGone = then;
    }

    @Override
    public void answer(Lease lease) {
        channel.here(() -> finish(new JsonObject().put("ref", ref).put("lease", lease.toJson())));
    }

    @Override
    public void fail(Throwable failure) {
        channel.here(() -> {
            JsonObject frame = Failures.frame(
                            failure, "the lease channel of " + channel.caller().name())
                    .put("ref", ref);
            if (finish(frame) && leaseId != null) { // its id goes out only with an answer: nobody knows it
                channel.holdings().letGo(leaseId);
                channel.orphans().release(leaseId);
            }
        });
    }

    @Override
    public void position(Lease lease) {
        channel.here(() -> {
            if (positions && !answered) {
                channel.sendEvent(new JsonObject()
                        .put("ref", ref)
                        .put("event", "position")
                        .put("lease", lease.toJson()));
            }
        });
    }

    /** Ends the call before its result: {@code failure} is its answer (null: the channel closed). */
    void gone(Throwable failure) {
        if (answered) {
            return;
        }
        if (failure != null) {
            fail(failure);
        } else {
            finish(null);
        }
        onGone.run();
    }

    /** Answers the call unless it was answered; whether this answered it. */
    private boolean finish(JsonObject frame) {
        if (answered) {
            return false;
        }
        answered = true;
        channel.vertx().cancelTimer(timer);
        channel.holdings().ended(this);
        if (frame != null) {
            channel.send(frame);
        }
        return true;
    }
}
