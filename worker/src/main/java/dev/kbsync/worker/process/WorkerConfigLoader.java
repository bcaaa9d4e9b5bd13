package dev.kbsync.worker.process;

import dev.kbsync.api.client.CaFile;
import dev.kbsync.config.Check;
import dev.kbsync.config.ConfigException;
import dev.kbsync.config.KeyTable;
import dev.kbsync.config.Values;
import dev.kbsync.git.TokenHosts;
import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fallback.FallbackMode;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds a {@link WorkerConfig} from the environment and the optional YAML file named by {@code KBSYNC_CONFIG}. */
public final class WorkerConfigLoader {
    static final KeyTable<WorkerConfigKey> KEYS = KeyTable.of(WorkerConfigKey.class);
    /** The variable naming the YAML file ({@code kbsync worker --config file.yaml} sets it). */
    public static final String FILE_VARIABLE = "KBSYNC_CONFIG";

    private WorkerConfigLoader() {}

    public static WorkerConfig load(Map<String, String> env) {
        Optional<Path> file = Optional.ofNullable(env.get(FILE_VARIABLE))
                .filter(f -> !f.isBlank())
                .map(Path::of);
        Values<WorkerConfigKey> v = KEYS.read(file, env);
        Duration agentTimeout = v.duration(WorkerConfigKey.AGENT_TIMEOUT);
        String credentialPrefix =
                v.string(WorkerConfigKey.CREDENTIALS_ENV_PREFIX).orElse("");
        return new WorkerConfig(
                urls(v.items(WorkerConfigKey.COORDINATOR_URL).orElseThrow()),
                v.string(WorkerConfigKey.COORDINATOR_TOKEN).orElse(""),
                v.string(WorkerConfigKey.WORKER_ID).orElseGet(WorkerConfigLoader::defaultWorkerId),
                Path.of(v.text(WorkerConfigKey.CACHE_DIR)),
                v.integer(WorkerConfigKey.CACHE_MIN_FREE_MEGABYTES),
                v.integer(WorkerConfigKey.CACHE_MAX_OPEN_CHECKOUTS),
                v.integer(WorkerConfigKey.CONCURRENCY),
                v.words(WorkerConfigKey.AGENT_COMMAND)
                        .map(argv -> new AgentCommand(argv, agentTimeout, credentialPrefix)),
                v.words(WorkerConfigKey.NOTE_AGENT_COMMAND)
                        .map(argv -> new AgentCommand(argv, agentTimeout, credentialPrefix)),
                v.integer(WorkerConfigKey.PUSH_RETRIES),
                FallbackMode.parse(v.text(WorkerConfigKey.FALLBACK)),
                v.text(WorkerConfigKey.HTTP_HOST),
                v.integer(WorkerConfigKey.HTTP_PORT),
                v.text(WorkerConfigKey.AUTHOR_EMAIL_DOMAIN),
                v.duration(WorkerConfigKey.POLL_WAIT),
                v.duration(WorkerConfigKey.SHUTDOWN_GRACE),
                v.integer(WorkerConfigKey.MAINTAIN_EVERY),
                v.integer(WorkerConfigKey.BATCH_MAX),
                new CredentialSettings(
                        v.string(WorkerConfigKey.CREDENTIALS_ENV_FILE).map(Path::of),
                        Arrays.stream(v.text(WorkerConfigKey.CREDENTIALS_FILE_DIRS)
                                        .split(","))
                                .map(String::strip)
                                .filter(d -> !d.isEmpty())
                                .map(Path::of)
                                .toList(),
                        credentialPrefix,
                        v.items(WorkerConfigKey.CREDENTIALS_GIT_TOKEN_HOSTS).map(WorkerConfigLoader::tokenHosts),
                        Optional.of(githubApiHosts(v.items(WorkerConfigKey.CREDENTIALS_GITHUB_API_HOSTS)
                                .orElse(List.of(CredentialSettings.DEFAULT_GITHUB_API_HOST))))),
                v.string(WorkerConfigKey.COORDINATOR_CA_FILE).map(Path::of).map(WorkerConfigLoader::caFile),
                v.duration(WorkerConfigKey.LEASE_MAX_HOLD),
                v.duration(WorkerConfigKey.LEASE_DEADLINE_MARGIN));
    }

    /** A CA file that can be read and holds PEM certificates (else every call would fail as "unreachable"). */
    private static Path caFile(Path file) {
        try {
            return CaFile.checked(file);
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(WorkerConfigKey.COORDINATOR_CA_FILE, e.getMessage());
        }
    }

    /** The hosts the generic git token may go to: host names, host:port, *.domain. */
    private static TokenHosts tokenHosts(List<String> items) {
        try {
            return TokenHosts.parse(items);
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(WorkerConfigKey.CREDENTIALS_GIT_TOKEN_HOSTS, e.getMessage());
        }
    }

    /** The hosts a GitHub App's JWT may go to: host names, host:port, *.domain. */
    private static TokenHosts githubApiHosts(List<String> items) {
        try {
            return TokenHosts.parse(items);
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(WorkerConfigKey.CREDENTIALS_GITHUB_API_HOSTS, e.getMessage());
        }
    }

    /** One URL, or several (comma-separated, or a YAML list) in order of preference. */
    private static List<URI> urls(List<String> items) {
        List<URI> urls = items.stream().map(WorkerConfigLoader::url).toList();
        if (urls.isEmpty()) {
            throw ConfigException.of(WorkerConfigKey.COORDINATOR_URL, "must name at least one coordinator");
        }
        return urls;
    }

    private static URI url(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw ConfigException.of(WorkerConfigKey.COORDINATOR_URL, "must be a URL, got " + Check.safe(text));
        }
    }

    /** {@code <hostname>-<pid>}. */
    static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "worker";
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "-") + "-"
                + ProcessHandle.current().pid();
    }
}
