package dev.kbsync.worker.library;

import dev.kbsync.api.KbConfig;
import dev.kbsync.worker.fallback.FallbackMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Library settings: the coordinator (URL and a {@code client}-role token), where checkouts live, the KBs this bot
 * writes to, the fallback mode, push retries, the author e-mail domain and how long to wait for a KB.
 */
public record KbsyncConfig(
        URI coordinator,
        String token,
        Path cacheDir,
        Map<String, KbConfig> kbs,
        FallbackMode fallback,
        int pushRetries,
        String emailDomain,
        Duration lockTimeout) {

    public KbsyncConfig {
        Objects.requireNonNull(coordinator, "coordinator");
        token = token == null ? "" : token;
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
                Duration.ofSeconds(300));
    }

    @Override
    public String toString() {
        return "KbsyncConfig[coordinator=" + coordinator + ", token=***, cacheDir=" + cacheDir + ", kbs=" + kbs.keySet()
                + ", fallback=" + fallback + "]";
    }
}
