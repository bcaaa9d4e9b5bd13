package dev.kbsync.coordinator.http;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.error.RateLimitedException;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.Watchers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A lease channel's ops, one frame each, as {@link ChannelFrames} read them: {@code request} (waiting for its grant as
 * the HTTP long poll does, {@link LeaseWait}, when it asks), {@code heartbeat} and {@code release}; each within the
 * channel's bounds ({@link LeaseChannel#MAX_LEASES}, {@link LeaseChannel#MAX_CALLS}) and answered once by its
 * {@link ChannelCall}. Runs on the channel's context.
 */
final class ChannelOps {
    private static final Duration FULL_RETRY = Duration.ofSeconds(1);

    private final LeaseChannel channel;
    private final Caller caller;
    private final LeaseService leases;
    private final Watchers watchers;
    private final Duration defaultTtl;
    private final Duration maxHold;

    ChannelOps(LeaseChannel channel, LeaseService leases, Watchers watchers, LeaseChannel.Setup setup) {
        this.channel = channel;
        this.caller = channel.caller();
        this.leases = leases;
        this.watchers = watchers;
        this.defaultTtl = setup.defaultTtl();
        this.maxHold = setup.maxHold();
    }

    void request(String ref, Fields fields) {
        KbId kb = KbId.of(fields.string("kb"));
        caller.checkKb(kb.value());
        LeaseAsk ask = LeaseAsk.read(kb, fields, defaultTtl, maxHold);
        Duration wait = ask.waitFor();
        boolean positions = fields.optBoolean("positions").orElse(false);
        if (channel.holdings().leasesFull()) {
            throw full("TOO_MANY_LEASES", LeaseChannel.MAX_LEASES + " leases (release some)");
        }
        ChannelCall call = new ChannelCall(channel, ref, wait, positions, true);
        if (!call.open()) {
            return;
        }
        here(calling(() -> leases.request(kb, ask.holder(), ask.ttl(), caller.name())))
                .onSuccess(lease -> {
                    if (!call.open()) { // answered 503 meanwhile, or the channel closed: nobody knows this lease
                        channel.orphans().release(lease.id());
                        return;
                    }
                    call.requested(lease.id());
                    if (lease.state() == LeaseState.WAITING && !wait.isZero()) {
                        LeaseWait.await(call, leases, channel.orphans(), watchers, lease, wait);
                    } else {
                        call.answer(lease);
                    }
                })
                .onFailure(call::fail);
    }

    void release(String ref, Fields fields) {
        onLease(ref, fields, leases::release, channel.holdings()::letGo);
    }

    /** A heartbeat frame, optionally saying what the holder is doing ({@code doing}, as the HTTP heartbeat's body). */
    void heartbeat(String ref, Fields fields) {
        Optional<String> doing = fields.optString("doing").map(Inputs::doing);
        onLease(ref, fields, (id, requester) -> leases.heartbeat(id, doing, requester), id -> {});
    }

    /**
     * A call on the lease the frame names, with the token it must have been asked for by ({@link
     * LeaseRoutes#requesterFor}); {@code then} runs before its answer.
     */
    private void onLease(
            String ref, Fields fields, BiFunction<String, String, Future<Lease>> op, Consumer<String> then) {
        String id = Inputs.id("INVALID_LEASE_ID", "lease id", fields.string("id"));
        if (channel.holdings().callsFull()) {
            throw full("TOO_MANY_CALLS", LeaseChannel.MAX_CALLS + " heartbeats and releases under way");
        }
        ChannelCall call = new ChannelCall(channel, ref, Duration.ZERO, false, false);
        if (!call.open()) {
            return;
        }
        here(calling(() -> LeaseRoutes.requesterFor(caller, id).compose(requester -> op.apply(id, requester))))
                .onSuccess(lease -> {
                    then.accept(id);
                    call.answer(lease);
                })
                .onFailure(failure -> {
                    if (failure instanceof NotFoundException
                            || (failure instanceof ConflictException conflict
                                    && ErrorCodes.LEASE_LOST.equals(conflict.code()))) {
                        channel.holdings().letGo(id); // nothing left to keep alive
                    }
                    call.fail(failure);
                });
    }

    /** {@code future}, completed on the channel's context (the engine completes its futures on its own). */
    private <T> Future<T> here(Future<T> future) {
        Promise<T> promise = Promise.promise();
        future.onComplete(result -> channel.here(() -> promise.handle(result)));
        return promise.future();
    }

    private static RateLimitedException full(String code, String what) {
        return new RateLimitedException(
                code, FULL_RETRY, 0, "a lease channel has at most " + what + "; open another channel for more");
    }

    /**
     * The future {@code call} returns, or its exception as a failed one: a call under way is answered once, by its
     * future, never also by the frame's own error.
     */
    private static <T> Future<T> calling(Supplier<Future<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
