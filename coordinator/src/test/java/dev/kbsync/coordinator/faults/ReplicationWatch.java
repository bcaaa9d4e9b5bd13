package dev.kbsync.coordinator.faults;

import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisSentinelGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches a Sentinel group's master from a moment on (every 25 ms): which server the Sentinels name, its role and its
 * replicas' states ({@code INFO replication}); when it had none online, which is when no write that waits for a
 * replica can be confirmed; and how the replicas synced ({@code INFO stats}: full and partial resyncs). For a failover
 * test's timeline and its resume bound.
 */
final class ReplicationWatch implements AutoCloseable {
    private static final Duration CALL = Duration.ofSeconds(1);
    private static final Pattern STATE = Pattern.compile("slave\\d+:[^\\r\\n]*state=([a-z_]+)");

    private final RedisSentinelGroup group;
    private final long sinceNanos;
    private final List<String> changes = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;
    private final List<Long> unconfirmed = new ArrayList<>(); // System.nanoTime() of samples with no replica online
    private String last = "";

    private ReplicationWatch(RedisSentinelGroup group, long sinceNanos) {
        this.group = group;
        this.sinceNanos = sinceNanos;
        this.thread = new Thread(this::run, "replication-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching the group's master; times count from {@code sinceNanos} (System.nanoTime). */
    static ReplicationWatch start(RedisSentinelGroup group, long sinceNanos) {
        ReplicationWatch watch = new ReplicationWatch(group, sinceNanos);
        watch.thread.start();
        return watch;
    }

    private void run() {
        while (!stopped) {
            String states;
            try {
                int port = group.currentMasterPort().orElseThrow();
                String info = String.valueOf(RespClient.once(port, CALL, "INFO", "replication"));
                states = port + " " + RespClient.infoField(info, "role").orElse("?") + ": " + states(info);
            } catch (RuntimeException e) {
                states = "unreachable";
            }
            long now = System.nanoTime();
            synchronized (this) {
                if (!states.contains(" master: ") || !states.contains("online")) {
                    unconfirmed.add(now);
                }
                if (!states.equals(last)) {
                    changes.add(TimeUnit.NANOSECONDS.toMillis(now - sinceNanos) + " ms " + states);
                    last = states;
                }
            }
            Holder.pause(25);
        }
    }

    private static String states(String info) {
        List<String> states = new ArrayList<>();
        Matcher m = STATE.matcher(info);
        while (m.find()) {
            states.add(m.group(1));
        }
        return states.isEmpty() ? "no replica" : String.join("+", states);
    }

    /**
     * The longest time the master was seen without an online replica, in ms: from the first to the last sample of a run
     * of such samples (a gap over 1.5 s between two of them, a slow sample's timeout included, ends a run).
     */
    synchronized long longestUnconfirmedMs() {
        long longest = 0;
        long runStart = -1;
        long previous = -1;
        for (long t : unconfirmed) {
            if (previous < 0 || t - previous > TimeUnit.MILLISECONDS.toNanos(1500)) {
                runStart = t;
            }
            longest = Math.max(longest, t - runStart);
            previous = t;
        }
        return TimeUnit.NANOSECONDS.toMillis(longest);
    }

    /**
     * The last time (System.nanoTime) before {@code nanos} the master was seen without an online replica, or the start
     * of the watch if it was not.
     */
    synchronized long lastUnconfirmedBefore(long nanos) {
        return unconfirmed.stream().filter(t -> t < nanos).reduce((a, b) -> b).orElse(sinceNanos);
    }

    /** The replicas' states as they changed, and the master's resync counters. */
    synchronized String describe() {
        String syncs;
        try {
            Object stats = RespClient.once(group.currentMasterPort().orElseThrow(), CALL, "INFO", "stats");
            syncs = "full resyncs " + RespClient.infoField(stats, "sync_full").orElse("?") + ", partial "
                    + RespClient.infoField(stats, "sync_partial_ok").orElse("?") + " ok / "
                    + RespClient.infoField(stats, "sync_partial_err").orElse("?") + " refused";
        } catch (RuntimeException e) {
            syncs = "stats unavailable";
        }
        return "the master the Sentinels name, its role and replicas: " + String.join(", ", changes) + "; " + syncs;
    }

    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
