package dev.kbsync.worker.credentials;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.Quoting;
import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitCredentials;
import dev.kbsync.git.RemoteUnavailableException;
import dev.kbsync.git.Secrets;
import dev.kbsync.git.TokenHosts;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GitHub App installation tokens, one per (API base, app, installation): fetched with a freshly signed JWT from
 * {@code <apiBase>/app/installations/<id>/access_tokens} and used until {@link #REFRESH_BEFORE} before their
 * {@code expires_at}, then replaced (the old one is dropped from the log masker). The private key file is read at
 * every exchange, so a replaced key counts at the next one. The JWT goes only to an API host the worker allows
 * ({@code credentials.githubApiHosts}): with it, anyone could mint tokens for every installation of the app, so an
 * {@code apiBase} a KB registration chose elsewhere fails before any request. Blocking; called on job threads.
 */
final class GitHubAppTokens {
    static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Clock clock;
    private final SecretFiles files;
    private final Optional<TokenHosts> apiHosts;
    private final Map<CredentialRef.GitHubApp, Token> tokens = new ConcurrentHashMap<>();
    private final Map<CredentialRef.GitHubApp, Object> locks = new ConcurrentHashMap<>();

    /** {@code apiHosts}: the only hosts the app JWT is sent to ({@code credentials.githubApiHosts}); empty: any. */
    GitHubAppTokens(Clock clock, SecretFiles files, Optional<TokenHosts> apiHosts) {
        this.clock = clock;
        this.files = files;
        this.apiHosts = apiHosts;
    }

    GitCredentials token(CredentialRef.GitHubApp app) {
        synchronized (locks.computeIfAbsent(app, k -> new Object())) {
            Token cached = tokens.get(app);
            Instant now = clock.instant();
            if (cached != null && now.isBefore(cached.expiresAt().minus(REFRESH_BEFORE))) {
                return cached.credentials();
            }
            Token fresh = exchange(app, now);
            tokens.put(app, fresh);
            if (cached != null) {
                Secrets.forget(cached.credentials().token());
            }
            return fresh.credentials();
        }
    }

    private Token exchange(CredentialRef.GitHubApp app, Instant now) {
        String where = app.apiBase() + "/app/installations/" + app.installationId() + "/access_tokens";
        URI uri = URI.create(where);
        int port = uri.getPort() >= 0 ? uri.getPort() : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
        if (apiHosts.isPresent() && !apiHosts.get().allowsHost(uri.getHost(), port)) {
            throw unavailable(
                    app,
                    "its apiBase " + app.apiBase() + " names a host this worker sends no GitHub App JWT to (the JWT"
                            + " mints tokens for every installation of the app); credentials.githubApiHosts"
                            + " (KBSYNC_CREDENTIALS_GITHUB_API_HOSTS) lists the allowed ones: " + apiHosts.get()
                            + "; add " + (uri.getPort() >= 0 ? uri.getHost() + ":" + port : uri.getHost())
                            + " there if this API is meant");
        }
        String jwt;
        try {
            jwt = AppJwt.sign(app.appId(), PemKeys.rsaPrivateKey(files.read(app.privateKeyFile())), now);
        } catch (GeneralSecurityException e) {
            throw unavailable(app, "the private key " + app.privateKeyFile() + " is not usable: " + e.getMessage());
        } catch (CredentialsUnavailableException e) {
            throw unavailable(app, e.getMessage());
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .header("Accept", "application/vnd.github+json")
                .header("Authorization", "Bearer " + jwt)
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("User-Agent", "kbsync")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw outage(app, "could not reach " + where + " (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(app, "interrupted while asking " + where);
        }
        if (response.statusCode() != 201) {
            String why = where + " answered HTTP " + response.statusCode() + message(response.body());
            throw busy(response) ? outage(app, why, null) : unavailable(app, why);
        }
        return parse(app, where, response.body());
    }

    private static Token parse(CredentialRef.GitHubApp app, String where, String body) {
        try {
            JsonObject json = new JsonObject(body);
            String token = json.getString("token");
            if (token == null || token.isBlank()) {
                throw unavailable(app, where + " answered without a token");
            }
            return new Token(new GitCredentials("x-access-token", token), Instant.parse(json.getString("expires_at")));
        } catch (DecodeException | ClassCastException | DateTimeParseException | NullPointerException e) {
            throw unavailable(app, where + " answered without a token and its expires_at");
        }
    }

    /** GitHub's own explanation ({@code message}), quoted and masked. */
    private static String message(String body) {
        try {
            String message = new JsonObject(body).getString("message");
            return message == null ? "" : ": " + Secrets.mask(Quoting.quote(message));
        } catch (DecodeException | ClassCastException e) {
            return "";
        }
    }

    /**
     * Whether the API said it cannot serve for now (5xx, 408, 429, or GitHub's 403 once the app's rate limit is spent),
     * rather than that the app, key or installation is wrong.
     */
    private static boolean busy(HttpResponse<String> response) {
        int status = response.statusCode();
        return status >= 500
                || status == 408
                || status == 429
                || status == 403
                        && response.headers()
                                .firstValue("x-ratelimit-remaining")
                                .filter("0"::equals)
                                .isPresent();
    }

    /** An outage of the API: the job waits it out and runs again, as for a remote that cannot be reached. */
    private static RemoteUnavailableException outage(CredentialRef.GitHubApp app, String why, Exception cause) {
        return new RemoteUnavailableException(
                "GitHub App " + app.appId() + " installation " + app.installationId() + ": " + why, cause);
    }

    private static CredentialsUnavailableException unavailable(CredentialRef.GitHubApp app, String why) {
        return new CredentialsUnavailableException(
                "GitHub App " + app.appId() + " installation " + app.installationId() + ": " + why);
    }

    private record Token(GitCredentials credentials, Instant expiresAt) {}
}
