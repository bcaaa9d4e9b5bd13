package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal job handed to a worker's long poll whose connection closed meanwhile (Redis SIGSTOPped) is given back at
 * once, as a Redis grant is: the next poll takes it, not one after the maximum hold (300 s).
 */
@TimingSensitive
class DegradedPollLeftIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldHandAJournalJobOutAgainWhenThePollItWasHandedToHasGone(@TempDir Path dir) throws Exception {
        Map<String, String> env = CoordinatorProcess.journaling(redis.uri(), "pl", dir.resolve("journal"));
        try (CoordinatorProcess coordinator = CoordinatorProcess.start(env, dir.resolve("coordinator.log"))) {
            Http http = coordinator.http();
            redis.process().pause();
            try {
                http.awaitDegraded(Duration.ofSeconds(10));
                try (Socket gone = new Socket("127.0.0.1", http.port())) { // a worker's poll, then it leaves
                    byte[] body =
                            new JsonObject().put("waitMs", 20_000).encode().getBytes(StandardCharsets.UTF_8);
                    OutputStream out = gone.getOutputStream();
                    out.write(("POST /v1/workers/gone/poll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    Thread.sleep(1_000); // the poll waits on the journal
                }
                Http.Answer note = http.note("pl", "u", "handed to a poll that left");
                assertThat(note.body().getString("mode")).isEqualTo("degraded");
                String id = note.body().getString("id");
                Thread.sleep(1_000); // the left poll's next look (every 200 ms) takes the job

                Http.Answer next = http.send("POST", "/v1/workers/stays/poll", new JsonObject().put("waitMs", 5_000));

                assertThat(next.status())
                        .as("the job handed to the poll that left is handed out again: %s", next.body())
                        .isEqualTo(200);
                assertThat(next.body().getJsonObject("job").getString("id")).isEqualTo(id);
            } finally {
                redis.process().resume();
            }
        }
    }
}
