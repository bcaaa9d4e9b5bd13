package dev.kbsync.bench;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.client.BlockingLeaseChannel;
import dev.kbsync.api.client.KbsyncClient;
import java.util.List;
import java.util.stream.IntStream;

/** kbsync's side of scenarios 1-3: the raw lease API over HTTP, and the engine's lease service directly. */
final class KbsyncLeases {
    private final BenchContext ctx;

    KbsyncLeases(BenchContext ctx) {
        this.ctx = ctx;
    }

    Measurement httpUncontended() throws Exception {
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(4)) {
            register(api, List.of("h-solo"));
            HttpLease lease = new HttpLease(api, "h-solo", "bench");
            return Timer.loop(
                    "kbsync HTTP POST lease (granted) + DELETE",
                    ctx.scaled(LockAnchors.WARMUP),
                    ctx.scaled(2000),
                    () -> {
                        lease.lock();
                        lease.unlock();
                    });
        }
    }

    Measurement channelUncontended() throws Exception {
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(4);
                BlockingLeaseChannel channel = api.openLeaseChannel()) {
            register(api, List.of("c-solo"));
            ChannelLease lease = new ChannelLease(channel, "c-solo", "bench");
            return Timer.loop(
                    "kbsync lease channel (WebSocket): request (granted) + release frames",
                    ctx.scaled(LockAnchors.WARMUP),
                    ctx.scaled(2000),
                    () -> {
                        lease.lock();
                        lease.unlock();
                    });
        }
    }

    /** What two HTTP exchanges cost with no engine work: two {@code GET /healthz} on the same client. */
    Measurement httpFloor() throws Exception {
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(4)) {
            return Timer.loop(
                    "HTTP floor: two GET /healthz on the same client (no engine work)",
                    ctx.scaled(LockAnchors.WARMUP),
                    ctx.scaled(2000),
                    () -> {
                        api.health();
                        api.health();
                    });
        }
    }

    Measurement engineUncontended() throws Exception {
        try (EngineNode engine = EngineNode.start(ctx.redisUri())) {
            engine.register(List.of("e-solo"));
            Mutex lease = engine.lease("e-solo", "bench");
            return Timer.loop(
                    "kbsync Engine request (granted) + release",
                    ctx.scaled(LockAnchors.WARMUP),
                    ctx.scaled(2000),
                    () -> {
                        lease.lock();
                        lease.unlock();
                    });
        }
    }

    Measurement httpHandoff(int waiters) throws Exception {
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(4 * waiters)) {
            register(api, List.of("h-handoff"));
            return Handoff.run(
                    "kbsync HTTP lease, long-polled grant, " + waiters + " waiters",
                    waiters,
                    ctx.scaled(1000),
                    ctx.scaled(2000),
                    t -> new HttpLease(api, "h-handoff", "w" + t));
        }
    }

    Measurement channelHandoff(int waiters) throws Exception {
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(4);
                Channels channels = new Channels(api, waiters)) {
            register(api, List.of("c-handoff"));
            return Handoff.run(
                    "kbsync lease channel (WebSocket), request answered at the grant, " + waiters + " waiters",
                    waiters,
                    ctx.scaled(1000),
                    ctx.scaled(2000),
                    t -> new ChannelLease(channels.of(t), "c-handoff", "w" + t));
        }
    }

    Measurement engineHandoff(int waiters) throws Exception {
        try (EngineNode engine = EngineNode.start(ctx.redisUri())) {
            engine.register(List.of("e-handoff"));
            return Handoff.run(
                    "kbsync Engine lease + event-bus grant, " + waiters + " waiters",
                    waiters,
                    ctx.scaled(1000),
                    ctx.scaled(2000),
                    t -> engine.lease("e-handoff", "w" + t));
        }
    }

    Measurement httpManyKbs(int kbs, int workers) throws Exception {
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(4 * workers)) {
            register(api, names("h-many-", kbs));
            return ManyKbs.run(
                    "kbsync HTTP lease",
                    kbs,
                    workers,
                    ctx.warmupSeconds(),
                    ctx.seconds(),
                    (t, kb) -> new HttpLease(api, "h-many-" + kb, "w" + t));
        }
    }

    Measurement channelManyKbs(int kbs, int workers) throws Exception {
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(4);
                Channels channels = new Channels(api, workers)) {
            register(api, names("c-many-", kbs));
            return ManyKbs.run(
                    "kbsync lease channel (WebSocket)",
                    kbs,
                    workers,
                    ctx.warmupSeconds(),
                    ctx.seconds(),
                    (t, kb) -> new ChannelLease(channels.of(t), "c-many-" + kb, "w" + t));
        }
    }

    /** One lease channel per contending thread, opened on first use, all closed at the end. */
    private static final class Channels implements AutoCloseable {
        private final KbsyncClient api;
        private final BlockingLeaseChannel[] open;

        Channels(KbsyncClient api, int threads) {
            this.api = api;
            this.open = new BlockingLeaseChannel[threads];
        }

        synchronized BlockingLeaseChannel of(int thread) {
            if (open[thread] == null) {
                open[thread] = api.openLeaseChannel();
            }
            return open[thread];
        }

        @Override
        public synchronized void close() {
            for (BlockingLeaseChannel channel : open) {
                if (channel != null) {
                    channel.close();
                }
            }
        }
    }

    Measurement engineManyKbs(int kbs, int workers) throws Exception {
        try (EngineNode engine = EngineNode.start(ctx.redisUri())) {
            engine.register(names("e-many-", kbs));
            return ManyKbs.run(
                    "kbsync Engine lease",
                    kbs,
                    workers,
                    ctx.warmupSeconds(),
                    ctx.seconds(),
                    (t, kb) -> engine.lease("e-many-" + kb, "w" + t));
        }
    }

    /** Registers each KB with a placeholder remote (the raw lease API never touches git). */
    static void register(KbsyncClient api, List<String> kbs) {
        kbs.forEach(kb -> api.registerKb(new KbConfig(KbId.of(kb), "file:///tmp/" + kb, "main")));
    }

    static List<String> names(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }
}
