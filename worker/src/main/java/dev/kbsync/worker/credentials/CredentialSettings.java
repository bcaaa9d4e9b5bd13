package dev.kbsync.worker.credentials;

import dev.kbsync.git.TokenHosts;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What KB registrations may make this worker read. {@code envFile}: a file of {@code NAME=value} lines consulted before
 * the process environment (read at every use, so its secrets rotate without a restart); {@code fileDirs}: the only
 * directories secret, key and known_hosts files may be in; {@code envPrefix}: the only variables a reference may name
 * start with it (empty: any but {@code KBSYNC_*}); {@code gitTokenHosts}: the only hosts the generic default token
 * ({@code KBSYNC_GIT_TOKEN}) goes to (empty: any https host, as before the setting existed); {@code githubApiHosts}: the
 * only hosts a GitHub App reference's {@code apiBase} may name, since the app JWT sent there mints tokens for every
 * installation of the app (empty: any, for library mode only).
 */
public record CredentialSettings(
        Optional<Path> envFile,
        List<Path> fileDirs,
        String envPrefix,
        Optional<TokenHosts> gitTokenHosts,
        Optional<TokenHosts> githubApiHosts) {
    /** {@code credentials.githubApiHosts}' default. */
    public static final String DEFAULT_GITHUB_API_HOST = "api.github.com";

    public CredentialSettings {
        Objects.requireNonNull(envFile, "envFile");
        fileDirs = fileDirs.stream().map(d -> d.toAbsolutePath().normalize()).toList();
        Objects.requireNonNull(envPrefix, "envPrefix");
        Objects.requireNonNull(gitTokenHosts, "gitTokenHosts");
        Objects.requireNonNull(githubApiHosts, "githubApiHosts");
    }

    /** With the GitHub App JWT going to api.github.com only (the default). */
    public CredentialSettings(
            Optional<Path> envFile, List<Path> fileDirs, String envPrefix, Optional<TokenHosts> gitTokenHosts) {
        this(
                envFile,
                fileDirs,
                envPrefix,
                gitTokenHosts,
                Optional.of(TokenHosts.parse(List.of(DEFAULT_GITHUB_API_HOST))));
    }

    /**
     * For a bot's own KBs (library mode): any file, any variable but {@code KBSYNC_*}, no environment file, the generic
     * token and a GitHub App's JWT to any host (the bot registers its KBs itself).
     */
    public static CredentialSettings unrestricted() {
        return new CredentialSettings(Optional.empty(), List.of(Path.of("/")), "", Optional.empty(), Optional.empty());
    }
}
