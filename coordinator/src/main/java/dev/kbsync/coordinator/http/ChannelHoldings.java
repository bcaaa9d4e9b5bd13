package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.metrics.ChannelGauges;
import dev.kbsync.coordinator.service.KeepAlive;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.Orphans;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a lease channel has under way and holds: its calls not answered yet, and the leases it keeps alive, within its
 * bounds ({@link LeaseChannel#MAX_LEASES}, {@link LeaseChannel#MAX_CALLS}); the leases counted in its gauges. Runs on
 * the channel's context.
 */
final class ChannelHoldings {
    private final LeaseService leases;
    private final ChannelGauges gauges;
    private final Map<String, KeepAlive> held = new HashMap<>();
    private final Set<ChannelCall> calls = new HashSet<>();
    /** Lease requests under way whose lease is not known yet. */
    private int requesting;
    /** Lease requests under way. */
    private int requests;

    ChannelHoldings(LeaseService leases, ChannelGauges gauges) {
        this.leases = leases;
        this.gauges = gauges;
    }

    /** Whether the channel keeps {@link LeaseChannel#MAX_LEASES} leases: no request more. */
    boolean leasesFull() {
        return held.size() + requesting >= LeaseChannel.MAX_LEASES;
    }

    /** Whether {@link LeaseChannel#MAX_CALLS} heartbeats and releases are under way: none more. */
    boolean callsFull() {
        return calls.size() - requests >= LeaseChannel.MAX_CALLS;
    }

    /** {@code call} is under way (a lease request: requesting until its lease is known). */
    void began(ChannelCall call) {
        calls.add(call);
        if (call.request()) {
            requests++;
            requesting++;
        }
    }

    /** {@code call} was answered (or the channel closed). */
    void ended(ChannelCall call) {
        calls.remove(call);
        if (call.request()) {
            requests--;
            if (!call.leaseKnown()) {
                requesting--;
            }
        }
    }

    /** The calls under way, as they are now. */
    List<ChannelCall> calls() {
        return new ArrayList<>(calls);
    }

    /** A request's lease exists: it is kept alive until it ends or is lost ({@code onLost}, once). */
    void hold(String id, Runnable onLost) {
        requesting--;
        held.put(id, leases.keepAlive(id, onLost));
        gauges.held(1);
    }

    /** Stops keeping {@code id} alive for this channel (released, lost, or its request failed). */
    void letGo(String id) {
        KeepAlive keepAlive = held.remove(id);
        if (keepAlive != null) {
            keepAlive.close();
            gauges.held(-1);
        }
    }

    /**
     * The channel closed: every call under way ends unanswered, and every lease it keeps is released through
     * {@code orphans}; how many leases that was.
     */
    int releaseAll(Orphans orphans) {
        gauges.held(-held.size());
        calls().forEach(call -> call.gone(null));
        held.forEach((id, keepAlive) -> {
            keepAlive.close();
            orphans.release(id);
        });
        int released = held.size();
        held.clear();
        return released;
    }
}
