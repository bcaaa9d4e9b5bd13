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
 * ({@code KBSYNC_GIT_TOKEN}) goes to (empty: any https host, as before the setting existed).
 */
public record CredentialSettings(
        Optional<Path> envFile, List<Path> fileDirs, String envPrefix, Optional<TokenHosts> gitTokenHosts) {
    public CredentialSettings {
        Objects.requireNonNull(envFile, "envFile");
        fileDirs = fileDirs.stream().map(d -> d.toAbsolutePath().normalize()).toList();
        Objects.requireNonNull(envPrefix, "envPrefix");
        Objects.requireNonNull(gitTokenHosts, "gitTokenHosts");
    }

    /**
     * For a bot's own KBs (library mode): any file, any variable but {@code KBSYNC_*}, no environment file, the generic
     * token to any host (the bot registers its KBs itself).
     */
    public static CredentialSettings unrestricted() {
        return new CredentialSettings(Optional.empty(), List.of(Path.of("/")), "", Optional.empty());
    }
}
