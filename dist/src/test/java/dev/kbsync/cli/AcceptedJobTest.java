package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.cli.CliRun.Ran;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code note} whose wait ends before its job does (the coordinator fails after accepting it; Ctrl-C; a killed
 * process) has shown the accepted job's id first, on stderr, so that the job can be found: stdout stays for the
 * progress lines and the outcome.
 */
class AcceptedJobTest {
    private static final String ID = "team~7f3c9a41";

    private HttpServer server;

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void shouldShowTheAcceptedJobsIdWhenTheWaitFails() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/kbs/team/notes", exchange -> answer(exchange, 202, accepted()));
        server.createContext( // the coordinator fails once it accepted the note
                "/v1/jobs/",
                exchange -> answer(exchange, 500, "{\"error\":{\"code\":\"INTERNAL\",\"message\":\"boom\"}}"));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();

        Ran ran = CliRun.run("note", "--url", url, "--kb", "team", "--user", "alice", "text");

        assertThat(ran.exit()).isEqualTo(ExitCodes.SERVER_ERROR);
        assertThat(ran.out()).as("stdout: progress only").isEqualTo("waiting: 0 ahead, ~<1 s" + System.lineSeparator());
        assertThat(ran.err().lines())
                .containsExactly(
                        "accepted job " + ID + " (Ctrl-C stops the wait, not the job)",
                        "error: INTERNAL: boom; job " + ID + " was accepted and may still land (kbsync jobs --kb team"
                                + " --user alice shows it)");
    }

    private static String accepted() {
        return Job.queued(ID, KbId.of("team"), "alice", new JobPayload.Note("text", null, null), Instant.now())
                .toJson()
                .encode();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
