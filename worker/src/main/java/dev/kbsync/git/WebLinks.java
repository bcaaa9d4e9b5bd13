package dev.kbsync.git;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Browser links to files and commits of a KB whose remote is on GitHub ({@code github.com}) or GitLab
 * ({@code gitlab.com}, or a self-managed host named {@code gitlab.*}); other hosts get no link. Credentials in the
 * remote never reach a link.
 */
public final class WebLinks {
    private static final Pattern SCP = Pattern.compile("^[^@/\\s]+@(?<host>[^:/\\s]+):/?(?<repo>[^\\s]+)$");
    private static final Pattern URL =
            Pattern.compile("^(?i:https?|ssh|git)://(?:[^@/\\s]*@)?(?<host>[^:/\\s]+)(?::\\d+)?/(?<repo>[^\\s]+)$");
    private static final Pattern GITHUB_REPO = Pattern.compile("^([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\\.git)?/?$");
    private static final Pattern GITLAB_REPO =
            Pattern.compile("^((?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]+?)(?:\\.git)?/?$");

    private WebLinks() {}

    /** The file {@code path} on {@code branch}, e.g. {@code https://github.com/<owner>/<repo>/blob/<branch>/<path>}. */
    public static Optional<String> blobUrl(String remoteUrl, String branch, String path) {
        return project(remoteUrl)
                .map(p -> p.base() + p.separator() + "blob/" + encodePath(branch) + "/" + encodePath(path));
    }

    /** The commit {@code commit}, e.g. {@code https://gitlab.com/<group>/<project>/-/commit/<sha>}. */
    public static Optional<String> commitUrl(String remoteUrl, String commit) {
        if (commit == null || !commit.matches("[0-9a-f]{4,64}")) {
            return Optional.empty();
        }
        return project(remoteUrl).map(p -> p.base() + p.separator() + "commit/" + commit);
    }

    /** Where the project lives in a browser, and what goes between it and {@code blob/} or {@code commit/}. */
    private record Project(String base, String separator) {}

    private static Optional<Project> project(String remoteUrl) {
        if (remoteUrl == null) {
            return Optional.empty();
        }
        String url = remoteUrl.trim();
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            m = SCP.matcher(url);
            if (!m.matches()) {
                return Optional.empty();
            }
        }
        String host = m.group("host").toLowerCase(Locale.ROOT);
        String repo = m.group("repo");
        if (host.equals("github.com") || host.equals("www.github.com")) {
            Matcher r = GITHUB_REPO.matcher(repo);
            return r.matches()
                    ? Optional.of(new Project("https://github.com/" + r.group(1) + "/" + r.group(2), "/"))
                    : Optional.empty();
        }
        if (host.equals("gitlab.com") || host.startsWith("gitlab.")) {
            Matcher r = GITLAB_REPO.matcher(repo);
            return r.matches()
                    ? Optional.of(new Project("https://" + host + "/" + r.group(1), "/-/"))
                    : Optional.empty();
        }
        return Optional.empty();
    }

    private static String encodePath(String path) {
        return Arrays.stream(path.split("/", -1))
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }
}
