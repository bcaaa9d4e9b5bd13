package dev.kbsync.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * GETs through the JDK's {@code HttpClient} as it comes out of the box, a new client (so a new connection) each: on a
 * plain-HTTP URL each asks the server to upgrade to HTTP/2 ({@code Upgrade: h2c}), which kbsync's servers decline.
 */
public final class H2cRequests {
    private H2cRequests() {}

    /**
     * What went wrong in {@code n} GETs of {@code uri} with {@code headers}: an I/O error, or an answer not 200, not
     * HTTP/1.1, or whose body {@code body} refuses. Empty when every answer was right.
     */
    public static List<String> problems(URI uri, Map<String, String> headers, int n, Predicate<String> body)
            throws InterruptedException {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri);
            headers.forEach(request::header);
            try {
                HttpResponse<String> response =
                        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200
                        || response.version() != HttpClient.Version.HTTP_1_1
                        || !body.test(response.body())) {
                    problems.add(response.version() + " " + response.statusCode() + ", "
                            + response.body().length() + " characters");
                }
            } catch (IOException e) {
                problems.add(e.toString());
            }
        }
        return problems;
    }
}
