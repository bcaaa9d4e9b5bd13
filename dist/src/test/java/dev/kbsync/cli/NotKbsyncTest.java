package dev.kbsync.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A URL whose server answers 200, but not as a kbsync coordinator (a plain web server, another service): every client
 * command says so in one line and exits 5, and none reports success.
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
        String url = serve(body);
        List<String[]> commands = new ArrayList<>(List.of(
                new String[] {"workers"},
                new String[] {"jobs"},
                new String[] {"cancel", "team~1"},
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
                    .contains("the server at " + url + " did not answer as a kbsync coordinator");
        }
    }

    /** Answers {@code body} with 200 to every request; its base URL. */
    private String serve(String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", body.startsWith("<") ? "text/html" : "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
