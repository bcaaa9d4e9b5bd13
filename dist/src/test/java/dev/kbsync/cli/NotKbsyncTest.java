package dev.kbsync.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A URL whose server is not a kbsync coordinator (a plain web server, another service, a proxy): every client command
 * says so in one line and exits 5, and none reports success, whether it answers 200 or an error page of its own; a
 * proxy's 502 in front of a coordinator says the coordinator is unavailable.
 */
class NotKbsyncTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "<html><body>It works!</body></html>"})
    void shouldSayTheServerIsNotAKbsyncCoordinator(String body) throws IOException {
        String url = serve(200, body);
        everyCommandFails(url, "the server at " + url + " did not answer as a kbsync coordinator");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "404 | <html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>nginx</body></html>",
                "401 | Unauthorized",
            })
    void shouldSayAnErrorPageOfAnotherServerIsNotAKbsyncCoordinator(int status, String body) throws IOException {
        String url = serve(status, body);
        everyCommandFails(
                url, "the server at " + url + " did not answer as a kbsync coordinator", "HTTP " + status, "--url");
    }

    @Test
    void shouldSayTheCoordinatorIsUnavailableWhenAProxyAnswersBadGateway() throws IOException {
        String url = serve(502, "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>");
        everyCommandFails(url, "the coordinator at " + url + " is unavailable", "HTTP 502");
    }

    /** Runs every client command against {@code url}: each must fail with exit 5 in one line that says each of {@code said}. */
    private static void everyCommandFails(String url, String... said) {
        List<String[]> commands = new ArrayList<>(List.of(
                new String[] {"workers"},
                new String[] {"jobs"},
                new String[] {"cancel", "team~1"},
                new String[] {"retry", "team~1"},
                new String[] {"admin", "force-release", "--kb", "team"},
                new String[] {"queue", "--kb", "team"},
                new String[] {"note", "--no-wait", "--kb", "team", "--user", "alice", "text"}));
        for (String[] command : commands) {
            String[] args = new String[command.length + 2];
            System.arraycopy(command, 0, args, 0, command.length);
            args[command.length] = "--url";
            args[command.length + 1] = url;
            UserErrorsTest.refused(CliRun.run(args), ExitCodes.SERVER_ERROR)
                    .as(String.join(" ", command))
                    .contains(said);
        }
    }

    /** Answers {@code body} with {@code status} to every request; its base URL. */
    private String serve(int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders()
                    .add(
                            "Content-Type",
                            body.startsWith("<")
                                    ? "text/html"
                                    : body.startsWith("{") || body.startsWith("[") ? "application/json" : "text/plain");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
