package dev.kbsync.coordinator.http;

import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The methods each route path takes, for the {@code Allow} header of a 405 (RFC 9110: a 405 names the methods the
 * resource supports). Paths are Vert.x Web templates: {@code :name} is one segment, a {@code *} segment the rest.
 */
final class RouteMethods {
    private static final List<HttpMethod> ORDER = List.of(
            HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private record Entry(Pattern path, HttpMethod method) {}

    private final List<Entry> entries = new ArrayList<>();

    /** {@code template} (starting with '/') takes {@code method}. */
    void add(HttpMethod method, String template) {
        entries.add(new Entry(pattern(template), method));
    }

    /** The methods some route takes at {@code path}, in a fixed order ({@code "GET, DELETE"}); empty if none. */
    String allowed(String path) {
        List<String> names = new ArrayList<>();
        for (HttpMethod method : ORDER) {
            if (entries.stream()
                    .anyMatch(e ->
                            e.method().equals(method) && e.path().matcher(path).matches())) {
                names.add(method.name());
            }
        }
        return String.join(", ", names);
    }

    private static Pattern pattern(String template) {
        StringBuilder regex = new StringBuilder();
        for (String segment : template.substring(1).split("/", -1)) {
            regex.append('/');
            if (segment.startsWith(":")) {
                regex.append("[^/]+");
            } else if (segment.equals("*")) {
                regex.append(".*");
            } else {
                regex.append(Pattern.quote(segment));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
