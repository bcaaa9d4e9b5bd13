package dev.kbsync.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kbsync queue [--kb team] [--watch]}: holders and waiters, live with --watch. */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Show KB queues: holder and waiters in order.")
final class QueueCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--kb", description = "Only this KB.")
    String kb;

    @Option(names = "--watch", description = "Keep showing changes until interrupted.")
    boolean watch;

    @Override
    public Integer call() {
        ApiClient api = client.client();
        try {
            if (watch) {
                String path = kb == null ? "/v1/events" : "/v1/kbs/" + kb + "/events";
                api.follow(path, event -> {
                    System.out.print(QueueView.render(event.data()));
                    System.out.flush();
                    return true;
                });
                return ExitCodes.OK;
            }
            if (kb != null) {
                System.out.print(QueueView.render(api.get("/v1/kbs/" + kb + "/queue")));
            } else {
                JsonArray kbs = api.get("/v1/kbs").getJsonArray("queues", new JsonArray());
                for (int i = 0; i < kbs.size(); i++) {
                    System.out.print(QueueView.render((JsonObject) kbs.getValue(i)));
                }
            }
            return ExitCodes.OK;
        } catch (ApiException e) {
            System.err.println("error: " + e.code() + ": " + e.getMessage());
            return e.exitCode();
        }
    }
}
