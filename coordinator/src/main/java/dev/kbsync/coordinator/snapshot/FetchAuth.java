package dev.kbsync.coordinator.snapshot;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.GitHosts;
import dev.kbsync.api.KbConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The coordinator's own credentials for fetching a KB's remote into its read mirror. Whoever may register a KB
 * chooses its remote, so the coordinator sends only what its operator allowed: the token file a KB's {@code file}
 * reference names when that file lies (symbolic links resolved) in one of {@code reads.credentialDirs}, read at each
 * fetch so rotations apply. Every other case fetches without credentials (file paths and public remotes need none):
 * {@code env} references (the coordinator's environment holds its own secrets), GitHub App and SSH key references
 * (the workers'), files outside those directories, and plain {@code http://} remotes (a registration from before they
 * were refused). {@link #without} says why, for the error message.
 */
public final class FetchAuth {
    private static final int MAX_SECRET_BYTES = 64 * 1024;

    private final List<Path> dirs;

    public FetchAuth(List<Path> credentialDirs) {
        this.dirs = List.copyOf(credentialDirs);
    }

    /** The credentials to fetch {@code kb} with; empty: fetch without. */
    Optional<CredentialsProvider> credentials(KbConfig kb) throws IOException {
        if (kb.credentials().isEmpty() || without(kb) != null) {
            return Optional.empty();
        }
        CredentialRef.File file = (CredentialRef.File) kb.credentials().get();
        byte[] bytes = Files.readAllBytes(Path.of(file.path()).toRealPath());
        String token = new String(bytes, 0, Math.min(bytes.length, MAX_SECRET_BYTES), StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IOException("the KB's credential file " + file.path() + " is empty");
        }
        String username = file.username() != null ? file.username() : defaultUsername(kb.remote());
        URIish origin;
        try {
            origin = new URIish(kb.remote());
        } catch (URISyntaxException e) {
            throw new IOException("the KB's remote is not a URL");
        }
        return Optional.of(new OriginCredentials(origin, username, token));
    }

    /**
     * A user name and token that answer only for the remote's own scheme, host and port: JGit follows a redirect to
     * any other https:// host or port and asks its provider again when that one answers 401.
     */
    static final class OriginCredentials extends UsernamePasswordCredentialsProvider {
        private final URIish origin;

        OriginCredentials(URIish origin, String username, String token) {
            super(username, token);
            this.origin = origin;
        }

        @Override
        public boolean get(URIish uri, CredentialItem... items) {
            return sameOrigin(origin, uri) && super.get(uri, items);
        }

        private static boolean sameOrigin(URIish a, URIish b) {
            return b != null
                    && a.getScheme() != null
                    && a.getScheme().equalsIgnoreCase(b.getScheme())
                    && a.getHost() != null
                    && a.getHost().equalsIgnoreCase(b.getHost())
                    && port(a) == port(b);
        }

        private static int port(URIish uri) {
            if (uri.getPort() > 0) {
                return uri.getPort();
            }
            return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        }
    }

    /** Why the coordinator fetches {@code kb} without its credential reference; null when it uses it (or has none). */
    String without(KbConfig kb) {
        if (kb.credentials().isEmpty()) {
            return null;
        }
        if (!(kb.credentials().get() instanceof CredentialRef.File file)) {
            return "the coordinator uses only 'file' credential references for its reads";
        }
        if (kb.remote().regionMatches(true, 0, "http://", 0, "http://".length())) {
            return "a token is never sent to a plain http:// remote";
        }
        if (dirs.isEmpty()) {
            return "reads.credentialDirs is not set";
        }
        // The path as named first, so that the answer for one outside the directories does not say whether a file is
        // there; symbolic links are resolved only for paths inside, and a link that leads outside is refused too.
        Path named = Path.of(file.path()).toAbsolutePath().normalize();
        List<Path> realDirs = realDirs();
        if (realDirs.stream().noneMatch(named::startsWith)
                && dirs.stream().map(d -> d.toAbsolutePath().normalize()).noneMatch(named::startsWith)) {
            return file.path() + " is not in reads.credentialDirs";
        }
        try {
            Path real = named.toRealPath();
            return realDirs.stream().anyMatch(real::startsWith)
                    ? null
                    : file.path() + " is not in reads.credentialDirs";
        } catch (IOException e) {
            return file.path() + " cannot be read by the coordinator";
        }
    }

    /** The configured directories that exist, symbolic links resolved (the operator's, so trusted). */
    private List<Path> realDirs() {
        return dirs.stream()
                .filter(Files::isDirectory)
                .flatMap(dir -> {
                    try {
                        return java.util.stream.Stream.of(dir.toRealPath());
                    } catch (IOException e) {
                        return java.util.stream.Stream.empty();
                    }
                })
                .toList();
    }

    /** The user name git hosts expect with a token (as the workers use it). */
    static String defaultUsername(String remote) {
        String host;
        try {
            host = Optional.ofNullable(URI.create(remote).getHost()).orElse("");
        } catch (IllegalArgumentException e) {
            host = "";
        }
        return GitHosts.tokenUsername(host);
    }
}
