package dev.kbsync.git;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Turns a GitHub remote URL into browser links to files; other hosts get no link. */
public final class GitHubLinks {
    private static final Pattern SCP = Pattern.compile("^[^@/\\s]+@(?<host>[^:/\\s]+):/?(?<repo>[^\\s]+)$");
    private static final Pattern URL =
            Pattern.compile("^(?i:https?|ssh|git)://(?:[^@/\\s]*@)?(?<host>[^:/\\s]+)(?::\\d+)?/(?<repo>[^\\s]+)$");
    private static final Pattern OWNER_REPO = Pattern.compile("^([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\\.git)?/?$");

    private GitHubLinks() {}

    /** {@code https://github.com/<owner>/<repo>/blob/<branch>/<path>} for a GitHub remote, else empty. */
    public static Optional<String> blobUrl(String remoteUrl, String branch, String path) {
        return repository(remoteUrl)
                .map(repo -> "https://github.com/" + repo + "/blob/" + encodePath(branch) + "/" + encodePath(path));
    }

    /** {@code owner/repo} of a GitHub remote, else empty. */
    static Optional<String> repository(String remoteUrl) {
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
        String host = m.group("host").toLowerCase(java.util.Locale.ROOT);
        if (!host.equals("github.com") && !host.equals("www.github.com")) {
            return Optional.empty();
        }
        Matcher repo = OWNER_REPO.matcher(m.group("repo"));
        return repo.matches() ? Optional.of(repo.group(1) + "/" + repo.group(2)) : Optional.empty();
    }

    private static String encodePath(String path) {
        return Arrays.stream(path.split("/", -1))
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }
}
