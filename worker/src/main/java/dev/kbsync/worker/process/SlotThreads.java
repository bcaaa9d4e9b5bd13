package dev.kbsync.worker.process;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Names the poll-slot threads {@code kbsync-<worker>-slot-N}; they are daemon threads so they never pin the JVM. */
final class SlotThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger next = new AtomicInteger();

    SlotThreads(String workerId) {
        this.prefix = "kbsync-" + workerId + "-slot-";
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + next.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
