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
 * Library settings: the coordinator (URL and a {@code client}-role token), where checkouts live, the KBs this bot
 * writes to, the fallback mode, push retries, the author e-mail domain, how long to wait for a KB, and the CA file the
 * coordinator's HTTPS certificate must chain to (if any).
 */
public record KbsyncConfig(
        URI coordinator,
        String token,
        Path cacheDir,
        Map<String, KbConfig> kbs,
        FallbackMode fallback,
        int pushRetries,
        String emailDomain,
        Duration lockTimeout,
        Optional<Path> caFile) {

    public KbsyncConfig {
        Objects.requireNonNull(coordinator, "coordinator");
        token = token == null ? "" : token;
        Objects.requireNonNull(cacheDir, "cacheDir");
        kbs = Map.copyOf(kbs);
        Objects.requireNonNull(fallback, "fallback");
        if (pushRetries < 0) {
            throw new IllegalArgumentException("pushRetries must be >= 0");
        }
        Objects.requireNonNull(caFile, "caFile");
        if (lockTimeout.isNegative() || lockTimeout.isZero()) {
            throw new IllegalArgumentException("lockTimeout must be positive");
        }
    }

    /** Defaults: fallback local, 5 push retries, {@code users.kbsync}, 300 s lock timeout. */
    public static KbsyncConfig of(URI coordinator, String token, Path cacheDir, List<KbConfig> kbs) {
        return new KbsyncConfig(
                coordinator,
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
                coordinator,
                token,
                cacheDir,
                kbs,
                fallback,
                pushRetries,
                emailDomain,
                lockTimeout,
                Optional.of(caFile));
    }

    /** How to reach the coordinator. */
    ClientOptions clientOptions() {
        ClientOptions options = ClientOptions.of(coordinator, token);
        return caFile.map(options::withCaFile).orElse(options);
    }

    @Override
    public String toString() {
        return "KbsyncConfig[coordinator=" + coordinator + ", token=***, cacheDir=" + cacheDir + ", kbs=" + kbs.keySet()
                + ", fallback=" + fallback + "]";
    }
}
