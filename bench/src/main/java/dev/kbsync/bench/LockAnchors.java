package dev.kbsync.bench;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** The anchors every lock scenario is compared with: raw Redisson RFairLock and Curator's InterProcessMutex. */
final class LockAnchors {
    /** Untimed runs before an uncontended loop: enough for the JIT to compile the client and server paths. */
    static final int WARMUP = 3000;

    private final BenchContext ctx;

    LockAnchors(BenchContext ctx) {
        this.ctx = ctx;
    }

    static RedissonClient redisson(String uri) {
        Config config = new Config();
        config.useSingleServer().setAddress(uri).setConnectionMinimumIdleSize(4);
        return Redisson.create(config);
    }

    Measurement rawUncontended() throws Exception {
        RedissonClient client = redisson(ctx.redisUri());
        try {
            RLock lock = client.getFairLock("bench:raw:uncontended");
            return Timer.loop("raw RFairLock lock+unlock", ctx.scaled(WARMUP), ctx.scaled(2000), () -> {
                lock.lock();
                lock.unlock();
            });
        } finally {
            client.shutdown();
        }
    }

    Measurement rawHandoff(int waiters) throws Exception {
        RedissonClient a = redisson(ctx.redisUri());
        RedissonClient b = redisson(ctx.redisUri());
        try {
            String name = "bench:raw:handoff:" + System.nanoTime();
            return Handoff.run(
                    "raw RFairLock, " + waiters + " waiters / 2 clients",
                    waiters,
                    ctx.scaled(1000),
                    ctx.scaled(2000),
                    t -> {
                        return mutex((t % 2 == 0 ? a : b).getFairLock(name));
                    });
        } finally {
            a.shutdown();
            b.shutdown();
        }
    }

    Measurement curatorHandoff(int waiters) throws Exception {
        try (TestingServer zk = new TestingServer(true);
                CuratorFramework a = curator(zk);
                CuratorFramework b = curator(zk)) {
            return Handoff.run(
                    "Curator InterProcessMutex, " + waiters + " waiters / 2 clients",
                    waiters,
                    ctx.scaled(500),
                    ctx.scaled(1000),
                    t -> {
                        InterProcessMutex mutex = new InterProcessMutex(t % 2 == 0 ? a : b, "/bench/handoff");
                        return new Mutex() {
                            @Override
                            public void lock() throws Exception {
                                mutex.acquire();
                            }

                            @Override
                            public void unlock() throws Exception {
                                mutex.release();
                            }
                        };
                    });
        }
    }

    Measurement rawManyKbs(int kbs, int workers) throws Exception {
        RedissonClient client = redisson(ctx.redisUri());
        try {
            return ManyKbs.run(
                    "raw RFairLock",
                    kbs,
                    workers,
                    ctx.warmupSeconds(),
                    ctx.seconds(),
                    (thread, kb) -> mutex(client.getFairLock("bench:raw:kb" + kb)));
        } finally {
            client.shutdown();
        }
    }

    static Mutex mutex(RLock lock) {
        return new Mutex() {
            @Override
            public void lock() {
                lock.lock();
            }

            @Override
            public void unlock() {
                lock.unlock();
            }
        };
    }

    private static CuratorFramework curator(TestingServer zk) {
        CuratorFramework client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        client.start();
        return client;
    }
}
