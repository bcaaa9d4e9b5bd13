package dev.kbsync.faults.client;

import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import dev.kbsync.faults.history.History;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Follows the latest submitted jobs (at most {@value #MAX} at a time) with {@code GET /v1/jobs/{id}}, recording each
 * answer's state and position, until they finish.
 */
public final class Watcher implements Runnable {
    private static final int MAX = 12;

    private final Api api;
    private final History history;
    private final BooleanSupplier stop;
    private final Map<String, String> watched = new LinkedHashMap<>();

    public Watcher(Api api, History history, BooleanSupplier stop) {
        this.api = api;
        this.history = history;
        this.stop = stop;
    }

    public synchronized void watch(String kb, String id) {
        if (watched.size() < MAX) {
            watched.put(id, kb);
        }
    }

    @Override
    public void run() {
        while (!stop.getAsBoolean()) {
            List<Map.Entry<String, String>> jobs;
            synchronized (this) {
                jobs = new ArrayList<>(watched.entrySet());
            }
            for (Map.Entry<String, String> job : jobs) {
                read(job.getKey(), job.getValue());
            }
            Pause.millis(150);
        }
    }

    private void read(String id, String kb) {
        try {
            Answer answer = api.get(api.any(), "/v1/jobs/" + id);
            if (answer.status() != 200) {
                history.add(Event.now("watcher", Type.FAIL, Kind.READ, kb, id, 0, -1, answer.status(), ""));
                return;
            }
            String state = answer.string("state");
            history.add(Event.now(
                    "watcher", Type.OK, Kind.READ, kb, id, answer.number("fencingToken"), answer.ahead(), 200, state));
            if (state.equals("done") || state.equals("failed")) {
                synchronized (this) {
                    watched.remove(id);
                }
            }
        } catch (IOException unanswered) {
            // read again next round
        }
    }
}
