package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;

/**
 * Where a worker finds a KB's git credential: a reference, never the secret itself. The coordinator validates, stores
 * and forwards the reference; only a worker resolves it, each time it talks to the remote, so a rotated secret is used
 * by the next job. The wire and YAML form names exactly one kind: {@code {env: NAME}}, {@code {file: /path}},
 * {@code {githubApp: {appId, installationId, privateKeyFile, apiBase}}} or {@code {sshKey: /path, knownHosts: /path}}.
 * Every record checks its shape (400 {@code INVALID_CREDENTIALS}); messages name the field, never a secret.
 */
public sealed interface CredentialRef {
    /** The error code of a reference with a bad shape. */
    String INVALID = "INVALID_CREDENTIALS";

    /** The nested JSON form (the inverse of {@link #fromJson}). */
    JsonObject toJson();

    /** True for references an HTTPS remote uses (tokens), false for SSH keys. */
    boolean http();

    /** A token in the worker's environment variable {@code variable}; {@code username} for HTTP basic auth. */
    record Env(String variable, String username) implements CredentialRef {
        public Env {
            variable = CredentialShapes.envName("credentials.env", variable);
            username = CredentialShapes.username(username);
        }

        @Override
        public JsonObject toJson() {
            return CredentialShapes.withUsername(new JsonObject().put("env", variable), username);
        }

        @Override
        public boolean http() {
            return true;
        }
    }

    /** A token in a file (a mounted secret), read again at every use; {@code username} for HTTP basic auth. */
    record File(String path, String username) implements CredentialRef {
        public File {
            path = CredentialShapes.absolutePath("credentials.file", path);
            username = CredentialShapes.username(username);
        }

        @Override
        public JsonObject toJson() {
            return CredentialShapes.withUsername(new JsonObject().put("file", path), username);
        }

        @Override
        public boolean http() {
            return true;
        }
    }

    /**
     * A GitHub App installation: the worker signs a JWT with the app's private key (PEM file) and exchanges it at
     * {@code <apiBase>/app/installations/<installationId>/access_tokens} for a short-lived installation token.
     */
    record GitHubApp(String appId, long installationId, String privateKeyFile, String apiBase)
            implements CredentialRef {
        public static final String DEFAULT_API_BASE = "https://api.github.com";

        public GitHubApp {
            appId = CredentialShapes.appId(appId);
            if (installationId < 1) {
                throw CredentialShapes.invalid("credentials.githubApp.installationId must be a positive integer");
            }
            privateKeyFile = CredentialShapes.absolutePath("credentials.githubApp.privateKeyFile", privateKeyFile);
            apiBase = CredentialShapes.apiBase(apiBase == null ? DEFAULT_API_BASE : apiBase);
        }

        @Override
        public JsonObject toJson() {
            return new JsonObject()
                    .put(
                            "githubApp",
                            new JsonObject()
                                    .put("appId", appId)
                                    .put("installationId", installationId)
                                    .put("privateKeyFile", privateKeyFile)
                                    .put("apiBase", apiBase));
        }

        @Override
        public boolean http() {
            return true;
        }
    }

    /**
     * An SSH private key file (unencrypted, OpenSSH or PEM) and the known_hosts file the server's key must be in;
     * {@code strictHostKeyChecking} false accepts any host key (then known_hosts may be absent).
     */
    record SshKey(String keyFile, String knownHosts, boolean strictHostKeyChecking) implements CredentialRef {
        public SshKey {
            keyFile = CredentialShapes.absolutePath("credentials.sshKey", keyFile);
            if (knownHosts != null || strictHostKeyChecking) {
                knownHosts = CredentialShapes.absolutePath("credentials.knownHosts", knownHosts);
            }
        }

        @Override
        public JsonObject toJson() {
            JsonObject json =
                    new JsonObject().put("sshKey", keyFile).put("strictHostKeyChecking", strictHostKeyChecking);
            return knownHosts == null ? json : json.put("knownHosts", knownHosts);
        }

        @Override
        public boolean http() {
            return false;
        }
    }

    /** Parses the nested JSON form; unknown fields, missing ones and a second kind are {@code INVALID_CREDENTIALS}. */
    static CredentialRef fromJson(JsonObject json) {
        return fromFields(CredentialShapes.flatten(Objects.requireNonNull(json, "credentials")));
    }

    /** Parses the form flattened by dots ({@code githubApp.appId}), as a configuration file entry gives it. */
    static CredentialRef fromFields(Map<String, String> fields) {
        return CredentialShapes.parse(fields);
    }
}
