package dev.kbsync.cli.stack;

import dev.kbsync.redis.Fsync;
import dev.kbsync.worker.run.Phase;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test-only {@code kbsync up --port 0 --workers 2 --data-dir args[0]}: the first job stops for good right after its
 * push, before its report (it prints {@code stalled <job id>}), so the KB stays held by a running job whose commit is
 * on the remote, and every later job queues behind it, until the test's {@code kill -9}.
 */
public final class StallingUpMain {
    private StallingUpMain() {}

    public static void main(String[] args) throws Exception {
        AtomicBoolean stalled = new AtomicBoolean();
        EmbeddedStack stack = EmbeddedStack.start(
                new StackOptions(Path.of(args[0]), Optional.empty(), Fsync.ALWAYS, 0, 2), (phase, unitId) -> {
                    if (phase == Phase.PUSHED && stalled.compareAndSet(false, true)) {
                        System.out.println("stalled " + unitId);
                        System.out.flush();
                        sleepForever();
                    }
                });
        System.out.println("  coordinator: " + stack.baseUrl());
        System.out.flush();
        sleepForever();
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
