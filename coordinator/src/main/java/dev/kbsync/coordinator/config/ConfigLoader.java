package dev.kbsync.coordinator.config;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.config.Check;
import dev.kbsync.config.ConfigException;
import dev.kbsync.config.KeyTable;
import dev.kbsync.config.Values;
import dev.kbsync.coordinator.auth.Token;
import dev.kbsync.coordinator.config.CoordinatorConfig.Auth;
import dev.kbsync.coordinator.config.CoordinatorConfig.Http;
import dev.kbsync.coordinator.config.CoordinatorConfig.Jobs;
import dev.kbsync.coordinator.config.CoordinatorConfig.Leases;
import dev.kbsync.coordinator.config.CoordinatorConfig.RateLimit;
import dev.kbsync.coordinator.config.CoordinatorConfig.Redis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.redisson.config.Config;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Reads the YAML file, lays the environment over it, and builds the validated {@link CoordinatorConfig}. */
final class ConfigLoader {
    static final KeyTable<ConfigKey> KEYS = KeyTable.of(ConfigKey.class);

    private final Map<String, String> env;

    ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    CoordinatorConfig load(Optional<Path> file) {
        return build(KEYS.read(file, env));
    }

    CoordinatorConfig.RedisAndKbs loadRedisAndKbs(Optional<Path> file) {
        Values<ConfigKey> v = KEYS.read(file, env);
        return new CoordinatorConfig.RedisAndKbs(redis(v), kbs(v));
    }

    private CoordinatorConfig build(Values<ConfigKey> v) {
        return new CoordinatorConfig(
                v.string(ConfigKey.COORDINATOR_ID).orElseGet(this::defaultId),
                new Http(
                        v.text(ConfigKey.HTTP_HOST),
                        v.integer(ConfigKey.HTTP_PORT),
                        v.integer(ConfigKey.HTTP_BODY_LIMIT_BYTES),
                        v.integer(ConfigKey.HTTP_MAX_TEXT_CHARS),
                        Duration.ofSeconds(v.integer(ConfigKey.HTTP_SSE_KEEP_ALIVE_SECONDS)),
                        Duration.ofSeconds(v.integer(ConfigKey.HTTP_REQUEST_READ_SECONDS))),
                tls(v),
                new Auth(
                        v.bool(ConfigKey.AUTH_ENABLED),
                        tokens(v),
                        v.bool(ConfigKey.AUTH_METRICS_PUBLIC),
                        v.integer(ConfigKey.AUTH_SCOPED_ADMIN_MAX_KBS)),
                new RateLimit(
                        v.integer(ConfigKey.RATE_LIMIT_SUBMISSIONS),
                        v.integer(ConfigKey.RATE_LIMIT_KB_SUBMISSIONS),
                        Duration.ofSeconds(v.integer(ConfigKey.RATE_LIMIT_WINDOW_SECONDS))),
                new Leases(
                        Duration.ofSeconds(v.integer(ConfigKey.LEASE_TTL_SECONDS)),
                        Duration.ofSeconds(v.integer(ConfigKey.LEASE_MAX_HOLD_SECONDS)),
                        Duration.ofSeconds(v.integer(ConfigKey.LEASE_WAITER_TTL_SECONDS)),
                        Duration.ofMillis(v.integer(ConfigKey.LEASE_SWEEP_MILLIS)),
                        Duration.ofSeconds(v.integer(ConfigKey.LOCK_WATCHDOG_SECONDS))),
                new Jobs(
                        v.integer(ConfigKey.JOBS_MAX_ATTEMPTS),
                        Duration.ofHours(v.integer(ConfigKey.JOBS_RETENTION_HOURS)),
                        Duration.ofMillis(v.integer(ConfigKey.JOBS_AFFINITY_MILLIS))),
                new CoordinatorConfig.Reads(
                        v.string(ConfigKey.READS_MIRROR_DIR).map(Path::of),
                        Duration.ofSeconds(v.integer(ConfigKey.READS_REFRESH_SECONDS)),
                        Duration.ofSeconds(v.integer(ConfigKey.READS_AFTER_WAIT_SECONDS)),
                        v.string(ConfigKey.READS_CREDENTIAL_DIRS).stream()
                                .flatMap(dirs -> java.util.Arrays.stream(dirs.split(",")))
                                .map(String::strip)
                                .filter(d -> !d.isEmpty())
                                .map(Path::of)
                                .toList()),
                redis(v),
                kbs(v),
                new CoordinatorConfig.Degraded(
                        v.string(ConfigKey.DEGRADED_JOURNAL_DIR).map(Path::of),
                        v.integer(ConfigKey.DEGRADED_JOURNAL_MAX_ENTRIES)),
                new Webhooks(
                        v.string(ConfigKey.WEBHOOKS_ALLOWED_HOSTS).stream()
                                .flatMap(hosts -> java.util.Arrays.stream(hosts.split(",")))
                                .toList(),
                        v.string(ConfigKey.WEBHOOKS_SECRET).orElse(""),
                        Duration.ofSeconds(v.integer(ConfigKey.WEBHOOKS_RETRY_SECONDS)),
                        Duration.ofSeconds(v.integer(ConfigKey.WEBHOOKS_LEASE_SECONDS))),
                new CoordinatorConfig.Shutdown(Duration.ofSeconds(v.integer(ConfigKey.SHUTDOWN_TIMEOUT_SECONDS))));
    }

    private static Optional<CoordinatorConfig.Tls> tls(Values<ConfigKey> v) {
        Optional<String> cert = v.string(ConfigKey.HTTP_TLS_CERT_FILE);
        Optional<String> key = v.string(ConfigKey.HTTP_TLS_KEY_FILE);
        if (cert.isPresent() != key.isPresent()) {
            throw ConfigException.of(
                    cert.isPresent() ? ConfigKey.HTTP_TLS_KEY_FILE : ConfigKey.HTTP_TLS_CERT_FILE,
                    "http.tls.certFile and http.tls.keyFile go together");
        }
        return cert.map(c -> new CoordinatorConfig.Tls(
                Path.of(c), Path.of(key.get()), Duration.ofSeconds(v.integer(ConfigKey.HTTP_TLS_RELOAD_SECONDS))));
    }

    private static Redis redis(Values<ConfigKey> v) {
        return new Redis(
                v.text(ConfigKey.REDIS_ADDRESS),
                v.string(ConfigKey.REDIS_CONFIG_FILE).map(ConfigLoader::redissonFile),
                waitReplicas(v),
                Duration.ofMillis(v.integer(ConfigKey.REDIS_WAIT_TIMEOUT_MILLIS)),
                v.bool(ConfigKey.REDIS_ALLOW_EVICTION));
    }

    private static int waitReplicas(Values<ConfigKey> v) {
        if ("auto".equals(v.text(ConfigKey.REDIS_WAIT_REPLICAS))) {
            return EngineConfig.Durability.AUTO;
        }
        int replicas = v.integer(ConfigKey.REDIS_WAIT_REPLICAS);
        // checked here: -1 is how auto is held, so the record would take a written -1 for auto
        Check.range(ConfigKey.REDIS_WAIT_REPLICAS, replicas, 0, 16, "auto or 0-16");
        return replicas;
    }

    private static List<Token> tokens(Values<ConfigKey> v) {
        List<Map<String, String>> entries = v.list(
                ConfigKey.AUTH_TOKENS, List.of("token", "role", "name", "kbs", "users", "quota"), EnvForms::token);
        return IntStream.range(0, entries.size())
                .mapToObj(i -> TokenEntries.token(entries.get(i), "auth.tokens[" + i + "]"))
                .toList();
    }

    private static List<KbConfig> kbs(Values<ConfigKey> v) {
        List<Map<String, String>> entries = v.list(
                ConfigKey.KBS,
                List.of("id", "remote", "branch", "notePath", "credentials.*", "dedupeWindowSeconds"),
                EnvForms::kb);
        List<KbConfig> kbs = IntStream.range(0, entries.size())
                .mapToObj(i -> kb(entries.get(i), "kbs[" + i + "]"))
                .toList();
        Set<KbId> seen = new HashSet<>();
        for (int i = 0; i < kbs.size(); i++) {
            if (!seen.add(kbs.get(i).id())) { // both would be registered at once: which one stays is left to chance
                throw new ConfigException(
                        "kbs[" + i + "]: KB " + kbs.get(i).id().value() + " is listed twice");
            }
        }
        return kbs;
    }

    private static KbConfig kb(Map<String, String> entry, String where) {
        try {
            return KbValidation.kb(
                    entry.get("id"),
                    entry.get("remote"),
                    entry.getOrDefault("branch", "main"),
                    entry.get("notePath"),
                    credentials(entry),
                    dedupeWindow(entry.get("dedupeWindowSeconds")));
        } catch (InvalidInputException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    private static long dedupeWindow(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(
                    "INVALID_DEDUPE_WINDOW", "dedupeWindowSeconds must be a whole number of seconds, got " + value);
        }
    }

    /** The entry's {@code credentials.*} fields, if any, as a reference. */
    private static Optional<CredentialRef> credentials(Map<String, String> entry) {
        String prefix = "credentials.";
        Map<String, String> fields = new HashMap<>();
        entry.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                fields.put(k.substring(prefix.length()), v);
            }
        });
        return fields.isEmpty() ? Optional.empty() : Optional.of(CredentialRef.fromFields(fields));
    }

    /**
     * A Redisson configuration file that Redisson reads: read here, so that a misspelt field is a bad configuration
     * (exit 2) and not a failure of the start (exit 70).
     */
    private static Path redissonFile(String file) {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw ConfigException.of(ConfigKey.REDIS_CONFIG_FILE, "no readable file at " + file);
        }
        try {
            Config.fromYAML(path.toFile());
        } catch (IOException | RuntimeException e) {
            throw ConfigException.of(
                    ConfigKey.REDIS_CONFIG_FILE,
                    file + " is not a Redisson configuration Redisson can read: " + redissonProblem(e));
        }
        return path;
    }

    /**
     * What Redisson's YAML reader found wrong, on one line: the field it could not set (a misspelt name, a value of
     * the wrong type), else the YAML problem and where.
     */
    private static String redissonProblem(Exception e) {
        String text = String.valueOf(e.getMessage());
        Matcher property = Pattern.compile("Cannot create property=(\\w+)").matcher(text);
        List<String> path = new ArrayList<>();
        while (property.find()) {
            path.add(property.group(1));
        }
        if (!path.isEmpty()) {
            return "unknown or invalid field '" + String.join(".", path) + "'";
        }
        if (e instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            return marked.getProblem() + " at line " + (marked.getProblemMark().getLine() + 1) + ", column "
                    + (marked.getProblemMark().getColumn() + 1);
        }
        return text.strip().lines().findFirst().orElse(e.getClass().getSimpleName());
    }

    private String defaultId() {
        String host = env.getOrDefault("HOSTNAME", "");
        if (host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
