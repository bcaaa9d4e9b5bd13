package dev.kbsync.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/** Follows the demo KB's queue stream on a daemon thread and shows "holder ... | N waiting" as it changes. */
final class QueueTicker {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Progress progress;

    private QueueTicker(PrintStream out, boolean inPlace) {
        this.progress = new Progress(out, inPlace);
    }

    static QueueTicker start(ApiClient api, PrintStream out, boolean inPlace) {
        QueueTicker ticker = new QueueTicker(out, inPlace);
        Thread thread = new Thread(
                () -> {
                    try {
                        api.follow("/v1/kbs/demo/events", event -> {
                            ticker.progress.line(describe(event.data()));
                            return ticker.running.get();
                        });
                    } catch (ApiException streamEnded) {
                        // the stack is shutting down
                    }
                },
                "kbsync-demo-queue");
        thread.setDaemon(true);
        thread.start();
        return ticker;
    }

    void stop() {
        running.set(false);
        progress.end();
    }

    static String describe(JsonObject snapshot) {
        JsonObject holder = snapshot.getJsonObject("holder");
        int waiting = snapshot.getJsonArray("waiters", new JsonArray()).size();
        return holder == null
                ? "queue: free, " + waiting + " waiting"
                : "queue: " + holder.getString("holder") + " writing (fence " + holder.getValue("fencingToken") + "), "
                        + waiting + " waiting";
    }
}
