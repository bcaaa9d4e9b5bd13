package dev.kbsync.faults.client;

import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import dev.kbsync.faults.history.History;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/** A job submitter in a loop: a note to a random KB through a random coordinator every ~{@code intervalMs}. */
public final class Submitter implements Runnable {
    private final String name;
    private final Api api;
    private final List<String> kbs;
    private final History history;
    private final Watcher watcher;
    private final BooleanSupplier stop;
    private final Random random;
    private final int intervalMs;

    public Submitter(
            String name,
            Api api,
            List<String> kbs,
            History history,
            Watcher watcher,
            BooleanSupplier stop,
            long seed,
            int intervalMs) {
        this.name = name;
        this.api = api;
        this.kbs = List.copyOf(kbs);
        this.history = history;
        this.watcher = watcher;
        this.stop = stop;
        this.random = new Random(seed);
        this.intervalMs = intervalMs;
    }

    @Override
    public void run() {
        int n = 0;
        while (!stop.getAsBoolean()) {
            n++;
            String kb = kbs.get(random.nextInt(kbs.size()));
            history.add(Event.now(name, Type.INVOKE, Kind.SUBMIT, kb, "", 0, -1, 0, ""));
            JsonObject note = new JsonObject()
                    .put("user", name)
                    .put("text", "Note " + n + " of " + name + ", written under faults.")
                    .put("title", name + " note " + n);
            try {
                Answer answer = api.post(api.any(), "/v1/kbs/" + kb + "/notes", note);
                if (answer.status() == 202) {
                    String id = answer.string("id");
                    history.add(Event.now(
                            name, Type.OK, Kind.SUBMIT, kb, id, 0, answer.ahead(), 202, answer.string("state")));
                    watcher.watch(kb, id);
                } else {
                    history.add(Event.now(
                            name, Type.FAIL, Kind.SUBMIT, kb, "", 0, -1, answer.status(), answer.errorCode()));
                }
            } catch (ConnectException refused) {
                history.add(Event.now(name, Type.FAIL, Kind.SUBMIT, kb, "", 0, -1, 0, "connection refused"));
            } catch (IOException e) {
                history.add(Event.now(name, Type.UNKNOWN, Kind.SUBMIT, kb, "", 0, -1, 0, ""));
            }
            Pause.millis(intervalMs / 2 + random.nextInt(intervalMs));
        }
    }
}
