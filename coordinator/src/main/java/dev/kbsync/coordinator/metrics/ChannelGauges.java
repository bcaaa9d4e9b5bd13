package dev.kbsync.coordinator.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lease channels open on this coordinator ({@code kbsync_lease_channels}) and the leases they keep alive
 * ({@code kbsync_lease_channel_leases}): a client whose channel holds leases it no longer uses shows here.
 */
public final class ChannelGauges {
    private final AtomicLong channels = new AtomicLong();
    private final AtomicLong leases = new AtomicLong();

    private ChannelGauges() {}

    static ChannelGauges registeredIn(MeterRegistry registry) {
        ChannelGauges gauges = new ChannelGauges();
        Gauge.builder("kbsync.lease.channels", gauges.channels, AtomicLong::get)
                .description("Lease channels (WebSockets) open on this coordinator.")
                .strongReference(true)
                .register(registry);
        Gauge.builder("kbsync.lease.channel.leases", gauges.leases, AtomicLong::get)
                .description("Leases the open lease channels keep alive (requested on a channel, not yet ended).")
                .strongReference(true)
                .register(registry);
        return gauges;
    }

    public void opened() {
        channels.incrementAndGet();
    }

    public void closed() {
        channels.decrementAndGet();
    }

    /** {@code delta} leases more (or fewer) kept alive by a channel. */
    public void held(int delta) {
        leases.addAndGet(delta);
    }
}
