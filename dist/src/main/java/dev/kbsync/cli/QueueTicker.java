package dev.kbsync.cli;

import dev.kbsync.api.KbId;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.api.event.QueueEvent;
import dev.kbsync.api.event.SnapshotEvent;
import java.io.PrintStream;

/** Follows the demo KB's queue stream on a daemon thread and shows "holder ... | N waiting" as it changes. */
final class QueueTicker {
    private static final long JOIN_MS = 2_000;

    private final Progress progress;
    private final EventStream<QueueEvent> events;
    private Thread thread;

    private QueueTicker(Progress progress, EventStream<QueueEvent> events) {
        this.progress = progress;
        this.events = events;
    }

    static QueueTicker start(KbsyncClient api, PrintStream out, boolean inPlace) {
        QueueTicker ticker = new QueueTicker(new Progress(out, inPlace), api.queueEvents(KbId.of("demo")));
        ticker.thread = new Thread(
                () -> {
                    try {
                        for (QueueEvent event : ticker.events) {
                            if (event instanceof SnapshotEvent s) { // the demo KB is not removed while it runs
                                ticker.progress.line(describe(s.snapshot()));
                            }
                        }
                    } catch (KbsyncException streamEnded) {
                        // the stack is shutting down
                    }
                },
                "kbsync-demo-queue");
        ticker.thread.setDaemon(true);
        ticker.thread.start();
        return ticker;
    }

    /** Ends the stream and waits for the events already received to be shown, so none comes after what follows. */
    void stop() throws InterruptedException {
        events.close();
        thread.join(JOIN_MS);
        progress.end();
    }

    static String describe(QueueSnapshot snapshot) {
        int waiting = snapshot.waiters().size();
        int batched = snapshot.running().size();
        return snapshot.holder()
                .map(holder -> "queue: " + (holder.holder() == null ? holder.kind() : holder.holder())
                        + (batched == 0 ? "" : " + " + batched + " batched") + " writing"
                        + (holder.fencingToken() == null ? "" : " (fence " + holder.fencingToken() + ")") + ", "
                        + waiting + " waiting")
                .orElse("queue: free, " + waiting + " waiting");
    }
}
