package dev.kbsync.coordinator.config;

import dev.kbsync.api.KbConfig;
import dev.kbsync.config.Check;
import dev.kbsync.config.ConfigException;
import dev.kbsync.coordinator.auth.Token;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The whole coordinator configuration, validated; build it with {@link #load} (YAML file + environment). */
public record CoordinatorConfig(
        String coordinatorId,
        Http http,
        Optional<Tls> tls,
        Auth auth,
        RateLimit rateLimit,
        Leases leases,
        Jobs jobs,
        Reads reads,
        Redis redis,
        List<KbConfig> kbs,
        Degraded degraded,
        Webhooks webhooks,
        Shutdown shutdown) {

    public CoordinatorConfig {
        if (coordinatorId.isBlank()) {
            throw ConfigException.of(ConfigKey.COORDINATOR_ID, "must not be blank");
        }
        kbs = List.copyOf(kbs);
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(shutdown, "shutdown");
        if (!auth.enabled() && !Loopback.is(http.host())) {
            throw ConfigException.of(
                    ConfigKey.AUTH_ENABLED,
                    "may be false only when http.host is a loopback address, got http.host=" + http.host());
        }
        if (webhooks.enabled() && webhooks.retry().compareTo(jobs.retention()) > 0) { // else dropped uncounted
            throw ConfigException.of(
                    ConfigKey.WEBHOOKS_RETRY_SECONDS,
                    "must not exceed jobs.retentionHours (" + jobs.retention().toSeconds() + " s), got "
                            + webhooks.retry().toSeconds());
        }
        if (jobs.affinityWindow().compareTo(leases.ttl()) >= 0) { // else the start failed on it (exit 70)
            throw ConfigException.of(
                    ConfigKey.JOBS_AFFINITY_MILLIS,
                    "must be below lease.ttlSeconds (" + leases.ttl().toMillis() + " ms), got "
                            + jobs.affinityWindow().toMillis());
        }
    }

    /** Reads {@code file} (if present), then applies {@code env} overrides, then validates. */
    public static CoordinatorConfig load(Optional<Path> file, Map<String, String> env) {
        return new ConfigLoader(env).load(file);
    }

    /** Bearer tokens would cross the network in clear text: authentication on, TLS off, a non-loopback address. */
    public boolean tokensInClearText() {
        return auth.enabled() && tls.isEmpty() && !Loopback.is(http.host());
    }

    /**
     * Only where Redis is and the configured KBs, from the same file and environment: what a host that does not run
     * the coordinator ({@code kbsync doctor} on a worker) needs, without the coordinator-only keys (tokens, HTTP)
     * having to be valid. Unknown YAML keys are still refused.
     */
    public static RedisAndKbs loadRedisAndKbs(Optional<Path> file, Map<String, String> env) {
        return new ConfigLoader(env).loadRedisAndKbs(file);
    }

    /** {@link #loadRedisAndKbs}'s answer. */
    public record RedisAndKbs(Redis redis, List<KbConfig> kbs) {
        public RedisAndKbs {
            kbs = List.copyOf(kbs);
        }
    }

    /** The engine's settings derived from this configuration. */
    public EngineConfig engine() {
        return new EngineConfig(
                coordinatorId,
                leases.ttl(),
                leases.maxHold(),
                leases.waiterTtl(),
                leases.lockWatchdog(),
                leases.sweepInterval(),
                new EngineConfig.Jobs(jobs.maxAttempts(), jobs.retention(), jobs.affinityWindow()),
                new EngineConfig.Durability(redis.waitReplicas(), redis.waitTimeout(), redis.allowEviction()),
                webhooks);
    }

    /**
     * Read snapshots: where the KBs' mirrors live (empty: a temporary directory), how often they are fetched, how long
     * {@code ?after=} waits, and the only directories whose files KB credential references may name for fetches.
     */
    public record Reads(Optional<Path> mirrorDir, Duration refresh, Duration afterWait, List<Path> credentialDirs) {
        public Reads {
            mirrorDir.ifPresent(dir -> Check.writableDir(ConfigKey.READS_MIRROR_DIR, dir));
            Check.range(ConfigKey.READS_REFRESH_SECONDS, refresh.toSeconds(), 1, 3600, "1-3600");
            Check.range(ConfigKey.READS_AFTER_WAIT_SECONDS, afterWait.toSeconds(), 0, 60, "0-60");
            for (Path dir : credentialDirs) {
                if (!dir.isAbsolute()) {
                    throw ConfigException.of(ConfigKey.READS_CREDENTIAL_DIRS, "must list absolute directories");
                }
            }
            credentialDirs = List.copyOf(credentialDirs);
        }

        /** The defaults: a temporary mirror directory, 30 s, 10 s, no credentials. */
        public static Reads defaults() {
            return new Reads(Optional.empty(), Duration.ofSeconds(30), Duration.ofSeconds(10), List.of());
        }
    }

    /**
     * HTTP server settings; {@code requestRead}: how long a connection may take to deliver a whole request after it
     * opened or its previous answer ended.
     */
    public record Http(
            String host, int port, int bodyLimitBytes, int maxTextChars, Duration sseKeepAlive, Duration requestRead) {
        public Http {
            Check.range(ConfigKey.HTTP_PORT, port, 0, 65535, "1-65535 (0 = any free port)");
            Check.range(ConfigKey.HTTP_BODY_LIMIT_BYTES, bodyLimitBytes, 1024, 16 << 20, "1024-16777216");
            Check.range(ConfigKey.HTTP_MAX_TEXT_CHARS, maxTextChars, 1, 1 << 20, "1-1048576");
            Check.range(ConfigKey.HTTP_SSE_KEEP_ALIVE_SECONDS, sseKeepAlive.toSeconds(), 1, 300, "1-300");
            Check.range(ConfigKey.HTTP_REQUEST_READ_SECONDS, requestRead.toSeconds(), 1, 3600, "1-3600");
            if (host.isBlank()) {
                throw ConfigException.of(ConfigKey.HTTP_HOST, "must not be blank");
            }
        }
    }

    /** HTTPS: the PEM certificate chain and private key, checked for changes every {@code reloadInterval}. */
    public record Tls(Path certFile, Path keyFile, Duration reloadInterval) {
        public Tls {
            readable(ConfigKey.HTTP_TLS_CERT_FILE, certFile);
            readable(ConfigKey.HTTP_TLS_KEY_FILE, keyFile);
            Check.range(ConfigKey.HTTP_TLS_RELOAD_SECONDS, reloadInterval.toSeconds(), 1, 86_400, "1-86400");
        }

        private static void readable(ConfigKey key, Path file) {
            if (!Files.isReadable(file)) {
                throw ConfigException.of(key, "no readable file at " + file);
            }
        }
    }

    /**
     * Bearer-token authentication; {@code toString} never shows a token. Names and tokens are unique.
     * {@code scopedAdminMaxKbs}: the most KBs a scoped admin registers into its scope.
     */
    public record Auth(boolean enabled, List<Token> tokens, boolean metricsPublic, int scopedAdminMaxKbs) {
        public Auth {
            tokens = List.copyOf(tokens);
            Check.range(ConfigKey.AUTH_SCOPED_ADMIN_MAX_KBS, scopedAdminMaxKbs, 1, 100_000, "1-100000");
            if (tokens.stream().map(Token::name).distinct().count() < tokens.size()) {
                throw ConfigException.of(ConfigKey.AUTH_TOKENS, "two tokens have the same name");
            }
            if (tokens.stream().map(Token::sha256).distinct().count() < tokens.size()) {
                throw ConfigException.of(ConfigKey.AUTH_TOKENS, "the same token is configured twice");
            }
            if (enabled && tokens.isEmpty()) {
                throw ConfigException.of(
                        ConfigKey.AUTH_TOKENS, "at least one token is required while auth.enabled is true");
            }
        }
    }

    /**
     * Submission rate limits, sliding windows shared through Redis: per user, and per KB ({@code kbSubmissions}, 0 =
     * none); token quotas use the same window.
     */
    public record RateLimit(int submissions, int kbSubmissions, Duration window) {
        public RateLimit {
            Check.range(ConfigKey.RATE_LIMIT_SUBMISSIONS, submissions, 1, 1_000_000, "1-1000000");
            Check.range(ConfigKey.RATE_LIMIT_KB_SUBMISSIONS, kbSubmissions, 0, 1_000_000, "0-1000000");
            Check.range(ConfigKey.RATE_LIMIT_WINDOW_SECONDS, window.toSeconds(), 1, 86_400, "1-86400");
        }
    }

    /** Lease timing: TTL, hard maximum hold, waiter TTL, expiry sweep, Redisson watchdog. */
    public record Leases(
            Duration ttl, Duration maxHold, Duration waiterTtl, Duration sweepInterval, Duration lockWatchdog) {
        public Leases {
            Check.range(ConfigKey.LEASE_TTL_SECONDS, ttl.toSeconds(), 1, 3600, "1-3600");
            Check.range(ConfigKey.LEASE_MAX_HOLD_SECONDS, maxHold.toSeconds(), 1, 86_400, "1-86400");
            Check.range(ConfigKey.LEASE_WAITER_TTL_SECONDS, waiterTtl.toSeconds(), 3, 3600, "3-3600");
            Check.range(ConfigKey.LEASE_SWEEP_MILLIS, sweepInterval.toMillis(), 10, 60_000, "10-60000");
            Check.range(ConfigKey.LOCK_WATCHDOG_SECONDS, lockWatchdog.toSeconds(), 1, 3600, "1-3600");
            if (maxHold.compareTo(ttl) < 0) {
                throw ConfigException.of(
                        ConfigKey.LEASE_MAX_HOLD_SECONDS,
                        "must be >= lease.ttlSeconds (" + ttl.toSeconds() + "), got " + maxHold.toSeconds());
            }
        }
    }

    /** The degraded-mode journal: its directory (none: no degraded mode) and how many jobs it may hold. */
    public record Degraded(Optional<Path> journalDir, int maxEntries) {
        public Degraded {
            Objects.requireNonNull(journalDir, "journalDir");
            journalDir.ifPresent(dir -> Check.writableDir(ConfigKey.DEGRADED_JOURNAL_DIR, dir));
            Check.range(ConfigKey.DEGRADED_JOURNAL_MAX_ENTRIES, maxEntries, 1, 1_000_000, "1-1000000");
        }

        public static Degraded off() {
            return new Degraded(Optional.empty(), 10_000);
        }
    }

    /**
     * How long a stop may take in all ({@code timeout}): past it the process says what had not finished and exits
     * anyway.
     */
    public record Shutdown(Duration timeout) {
        public Shutdown {
            Check.range(ConfigKey.SHUTDOWN_TIMEOUT_SECONDS, timeout.toSeconds(), 5, 3600, "5-3600");
        }
    }

    /** Attempt limit of a job, how long finished jobs are kept, and the worker affinity window. */
    public record Jobs(int maxAttempts, Duration retention, Duration affinityWindow) {
        public Jobs {
            Check.range(ConfigKey.JOBS_MAX_ATTEMPTS, maxAttempts, 1, 100, "1-100");
            Check.range(ConfigKey.JOBS_RETENTION_HOURS, retention.toHours(), 1, 8760, "1-8760");
            Check.range(ConfigKey.JOBS_AFFINITY_MILLIS, affinityWindow.toMillis(), 0, 1000, "0-1000");
        }

        /** The default affinity window. */
        public Jobs(int maxAttempts, Duration retention) {
            this(maxAttempts, retention, EngineConfig.Jobs.DEFAULT_AFFINITY_WINDOW);
        }
    }

    /**
     * How to reach Redis: a single address, or a Redisson YAML file for Sentinel/Cluster; replicas that confirm writes
     * creating jobs and grants ({@link EngineConfig.Durability#AUTO} = -1) and how long to wait; whether a master
     * that may evict keys is accepted.
     */
    public record Redis(
            String address, Optional<Path> configFile, int waitReplicas, Duration waitTimeout, boolean allowEviction) {
        public Redis {
            if (!address.startsWith("redis://") && !address.startsWith("rediss://")) {
                throw ConfigException.of(
                        ConfigKey.REDIS_ADDRESS, "must start with redis:// or rediss://, got " + Check.safe(address));
            }
            if (waitReplicas != EngineConfig.Durability.AUTO) {
                Check.range(ConfigKey.REDIS_WAIT_REPLICAS, waitReplicas, 0, 16, "auto or 0-16");
            }
            Check.range(ConfigKey.REDIS_WAIT_TIMEOUT_MILLIS, waitTimeout.toMillis(), 10, 60_000, "10-60000");
        }
    }
}
