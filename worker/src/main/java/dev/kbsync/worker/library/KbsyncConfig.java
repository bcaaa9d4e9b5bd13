package dev.kbsync.worker.library;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.worker.fallback.FallbackMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Library settings: the coordinators (base URLs in order of preference, with the failover rules of the Java client:
 * the first one while it answers, the next one while it does not, back to the first once it answers a probe; see
 * {@link ClientOptions}) and a {@code client}-role token, where checkouts live, the KBs this bot
 * writes to, the fallback mode, push retries, the author e-mail domain, how long to wait for a KB, and the CA file the
 * coordinator's HTTPS certificate must chain to (if any).
 */
public record KbsyncConfig(
        List<URI> coordinators,
        String token,
        Path cacheDir,
        Map<String, KbConfig> kbs,
        FallbackMode fallback,
        int pushRetries,
        String emailDomain,
        Duration lockTimeout,
        Optional<Path> caFile) {

    public KbsyncConfig {
        coordinators = List.copyOf(coordinators);
        token = token == null ? "" : token;
        Objects.requireNonNull(caFile, "caFile");
        // the client's own checks, at construction: at least one URL, none twice, http(s), a CA file only for https
        ClientOptions checked = ClientOptions.of(coordinators, token);
        caFile.ifPresent(checked::withCaFile);
        Objects.requireNonNull(cacheDir, "cacheDir");
        kbs = Map.copyOf(kbs);
        Objects.requireNonNull(fallback, "fallback");
        if (pushRetries < 0) {
            throw new IllegalArgumentException("pushRetries must be >= 0");
        }
        if (lockTimeout.isNegative() || lockTimeout.isZero()) {
            throw new IllegalArgumentException("lockTimeout must be positive");
        }
    }

    /** One coordinator; otherwise as {@link #of(List, String, Path, List)}. */
    public static KbsyncConfig of(URI coordinator, String token, Path cacheDir, List<KbConfig> kbs) {
        return of(List.of(coordinator), token, cacheDir, kbs);
    }

    /**
     * Coordinators in order of preference ({@link ClientOptions#parseUrls} reads the comma-separated form workers and
     * the CLI take); defaults: fallback local, 5 push retries, {@code users.kbsync}, 300 s lock timeout.
     */
    public static KbsyncConfig of(List<URI> coordinators, String token, Path cacheDir, List<KbConfig> kbs) {
        return new KbsyncConfig(
                coordinators,
                token,
                cacheDir,
                kbs.stream().collect(Collectors.toMap(kb -> kb.id().value(), Function.identity())),
                FallbackMode.LOCAL,
                5,
                "users.kbsync",
                Duration.ofSeconds(300),
                Optional.empty());
    }

    /** The same settings, trusting the coordinator's HTTPS certificate when it chains to the PEM CA in {@code caFile}. */
    public KbsyncConfig withCaFile(Path caFile) {
        return new KbsyncConfig(
                coordinators,
                token,
                cacheDir,
                kbs,
                fallback,
                pushRetries,
                emailDomain,
                lockTimeout,
                Optional.of(caFile));
    }

    /** The same settings, waiting at most {@code lockTimeout} for a KB ({@link Kbsync#open}: 300 s by default). */
    public KbsyncConfig withLockTimeout(Duration lockTimeout) {
        return new KbsyncConfig(
                coordinators, token, cacheDir, kbs, fallback, pushRetries, emailDomain, lockTimeout, caFile);
    }

    /** How to reach the coordinators (the URLs are checked there: at least one, none twice, http(s) only). */
    ClientOptions clientOptions() {
        ClientOptions options = ClientOptions.of(coordinators, token);
        return caFile.map(options::withCaFile).orElse(options);
    }

    @Override
    public String toString() {
        return "KbsyncConfig[coordinators=" + coordinators + ", token=***, cacheDir=" + cacheDir + ", kbs="
                + kbs.keySet() + ", fallback=" + fallback + "]";
    }
}
