package dev.kbsync.coordinator.snapshot;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.KbConfig;
import dev.kbsync.coordinator.error.UnavailableException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The coordinator's own credentials for fetching a KB's remote: none (a file or anonymous remote), or the token its
 * reference names ({@code env}: a variable of the coordinator's environment, {@code file}: a file it can read), read
 * at each fetch so rotations apply. GitHub App and SSH key references are the workers' only: fetching such a KB fails
 * with a message saying so.
 */
public final class FetchAuth {
    private static final Duration RETRY = Duration.ofSeconds(30);

    private final Map<String, String> env;

    public FetchAuth(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    Optional<CredentialsProvider> credentials(KbConfig kb) throws IOException {
        Optional<CredentialRef> ref = kb.credentials();
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        CredentialRef reference = ref.get();
        if (reference instanceof CredentialRef.Env e) {
            return Optional.of(provider(kb, e.username(), secret(env.get(e.variable()), "variable " + e.variable())));
        }
        if (reference instanceof CredentialRef.File f) {
            String value = Files.readString(Path.of(f.path()), StandardCharsets.UTF_8);
            return Optional.of(provider(kb, f.username(), secret(value, "file " + f.path())));
        }
        throw unsupported(reference instanceof CredentialRef.GitHubApp ? "githubApp" : "sshKey");
    }

    private static String secret(String value, String where) {
        if (value == null || value.isBlank()) {
            throw new UnavailableException(
                    "SNAPSHOT_UNAVAILABLE", "the KB's credential (" + where + ") is empty at the coordinator", RETRY);
        }
        return value.strip();
    }

    private static CredentialsProvider provider(KbConfig kb, String username, String token) {
        return new UsernamePasswordCredentialsProvider(
                username != null ? username : defaultUsername(kb.remote()), token);
    }

    private static UnavailableException unsupported(String form) {
        return new UnavailableException(
                "SNAPSHOT_UNAVAILABLE",
                "the coordinator does not fetch with '" + form + "' credentials; reads need an env or file token, or no"
                        + " credentials",
                RETRY);
    }

    /** The user name git hosts expect with a token (as the workers use it). */
    static String defaultUsername(String remote) {
        String host;
        try {
            host = Optional.ofNullable(URI.create(remote).getHost()).orElse("").toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            host = "";
        }
        if (host.contains("gitlab")) {
            return "oauth2";
        }
        return host.equals("github.com") || host.endsWith(".github.com") ? "x-access-token" : "git";
    }
}
