package dev.kbsync.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.config.ConfigException;
import dev.kbsync.coordinator.auth.Role;
import dev.kbsync.coordinator.auth.Token;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    private static final String TOKENS = "admin:admin-token-00000001,worker:worker-token-0000001";

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("kbsync.yaml");
        Files.writeString(file, text);
        return file;
    }

    private static CoordinatorConfig env(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of("KBSYNC_TOKENS", TOKENS));
        all.putAll(env);
        return CoordinatorConfig.load(Optional.empty(), all);
    }

    @Test
    void shouldUseDocumentedDefaults() {
        CoordinatorConfig config = env(Map.of());
        assertThat(config.http())
                .isEqualTo(new CoordinatorConfig.Http(
                        "127.0.0.1", 8080, 65536, 32000, Duration.ofSeconds(15), Duration.ofSeconds(60)));
        assertThat(config.auth().enabled()).isTrue();
        assertThat(config.auth().metricsPublic()).isFalse();
        assertThat(config.rateLimit()).isEqualTo(new CoordinatorConfig.RateLimit(20, 0, Duration.ofSeconds(60)));
        assertThat(config.leases().ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.leases().maxHold()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.redis().address()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(config.redis().configFile()).isEmpty();
        assertThat(config.kbs()).isEmpty();
        assertThat(config.shutdown().timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.coordinatorId())
                .endsWith("-" + ProcessHandle.current().pid());
        assertThat(config.engine().leaseTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.engine().jobs()).isEqualTo(new EngineConfig.Jobs(3, Duration.ofDays(7)));
        assertThat(config.engine().durability())
                .isEqualTo(new EngineConfig.Durability(EngineConfig.Durability.AUTO, Duration.ofSeconds(1), false));
    }

    @Test
    void shouldReadJobAndDurabilitySettings() {
        CoordinatorConfig config = env(Map.of(
                "KBSYNC_JOBS_MAX_ATTEMPTS", "5",
                "KBSYNC_JOBS_RETENTION_HOURS", "24",
                "KBSYNC_REDIS_WAIT_REPLICAS", "2",
                "KBSYNC_REDIS_WAIT_TIMEOUT_MILLIS", "250",
                "KBSYNC_REDIS_ALLOW_EVICTION", "true"));

        assertThat(config.engine().jobs()).isEqualTo(new EngineConfig.Jobs(5, Duration.ofHours(24)));
        assertThat(config.engine().durability())
                .isEqualTo(new EngineConfig.Durability(2, Duration.ofMillis(250), true));
    }

    @Test
    void shouldReadNestedYaml() throws IOException {
        Path file = yaml("""
                coordinatorId: coord-a
                http: {host: 0.0.0.0, port: 9090, bodyLimitBytes: 4096, requestReadSeconds: 20}
                auth:
                  tokens:
                    - {token: client-token-0000001, role: client}
                rateLimit: {submissions: 5, windowSeconds: 10}
                lease: {ttlSeconds: 20, maxHoldSeconds: 120, waiterTtlSeconds: 3}
                lock: {watchdogSeconds: 15}
                kbs:
                  - {id: team, remote: "git@github.com:acme/team.git", branch: main}
                """);

        CoordinatorConfig config = CoordinatorConfig.load(Optional.of(file), Map.of());

        assertThat(config.coordinatorId()).isEqualTo("coord-a");
        assertThat(config.http().host()).isEqualTo("0.0.0.0");
        assertThat(config.http().port()).isEqualTo(9090);
        assertThat(config.http().bodyLimitBytes()).isEqualTo(4096);
        assertThat(config.http().requestRead()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.auth().tokens()).containsExactly(Token.of("client-token-0000001", Role.CLIENT));
        assertThat(config.rateLimit().submissions()).isEqualTo(5);
        assertThat(config.leases().maxHold()).isEqualTo(Duration.ofSeconds(120));
        assertThat(config.leases().lockWatchdog()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.kbs()).containsExactly(new KbConfig(KbId.of("team"), "git@github.com:acme/team.git", "main"));
    }

    @Test
    void shouldLetTheEnvironmentOverrideTheFile() throws IOException {
        Path file = yaml("http: {port: 9090}\nauth: {tokens: [{token: client-token-0000001, role: client}]}\n");

        CoordinatorConfig config = CoordinatorConfig.load(
                Optional.of(file),
                Map.of(
                        "KBSYNC_HTTP_PORT",
                        "9191",
                        "KBSYNC_TOKENS",
                        TOKENS,
                        "KBSYNC_KBS",
                        "a=/srv/a.git#main,b=https://github.com/acme/b.git#dev"));

        assertThat(config.http().port()).isEqualTo(9191);
        assertThat(config.auth().tokens()).extracting(Token::role).containsExactly(Role.ADMIN, Role.WORKER);
        assertThat(config.kbs())
                .extracting(k -> k.id().value() + " " + k.remote() + " " + k.branch())
                .containsExactly("a /srv/a.git main", "b https://github.com/acme/b.git dev");
    }

    @Test
    void shouldNameUnknownYamlKeysAndTheNearestValidOnes() throws IOException {
        Path file = yaml("http: {port: 9090, prot: 1}\nredis: {adress: x}\nextra: true\n");
        assertThatThrownBy(() -> CoordinatorConfig.load(Optional.of(file), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": unknown key 'http.prot'; did you mean 'http.port'?\n"
                        + file + ": unknown key 'redis.adress'; did you mean 'redis.address'?\n"
                        + file + ": unknown key 'extra'");
    }

    /**
     * A key written both flat ({@code http.port: 9000}) and nested ({@code http: {port: 8080}}) is refused, as a
     * duplicate key is: one of the two would be dropped without a word. Written once, flat, it is read.
     */
    @Test
    void shouldRefuseAKeySetBothDottedAndNested() throws IOException {
        Path file = yaml("http: {port: 8080}\nhttp.port: 9000\nlease:\n  ttlSeconds: 20\nlease.ttlSeconds: 40\n");
        assertThatThrownBy(() -> CoordinatorConfig.load(Optional.of(file), Map.of("KBSYNC_TOKENS", TOKENS)))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": 'http.port' is set twice (as 'http: port' and as 'http.port'); keep one\n"
                        + file + ": 'lease.ttlSeconds' is set twice (as 'lease: ttlSeconds' and as 'lease.ttlSeconds');"
                        + " keep one");

        Path flat = yaml("http.port: 9000\n");
        assertThat(CoordinatorConfig.load(Optional.of(flat), Map.of("KBSYNC_TOKENS", TOKENS))
                        .http()
                        .port())
                .isEqualTo(9000);
    }

    @Test
    void shouldRejectUnknownKeysInsideListEntries() throws IOException {
        Path file = yaml("auth: {tokens: [{token: client-token-0000001, role: client, secret: x}]}\n");
        assertThatThrownBy(() -> CoordinatorConfig.load(Optional.of(file), Map.of()))
                .hasMessage("auth.tokens[0]: unknown key 'secret'");
        Path kbs = yaml("kbs: [{id: a, remote: /srv/a.git, brnch: main}]\n");
        assertThatThrownBy(() -> CoordinatorConfig.load(Optional.of(kbs), Map.of("KBSYNC_AUTH_ENABLED", "false")))
                .hasMessage("kbs[0]: unknown key 'brnch'; did you mean 'branch'?");
    }

    @Test
    void shouldReadEachKbsCredentialReference() throws IOException {
        Path file = yaml("""
                kbs:
                  - {id: a, remote: "https://github.com/acme/a.git", credentials: {env: TEAM_A_TOKEN}}
                  - id: b
                    remote: https://github.com/acme/b.git
                    credentials: {githubApp: {appId: 12, installationId: 34, privateKeyFile: /run/secrets/app.pem}}
                  - id: c
                    remote: "git@github.com:acme/c.git"
                    credentials: {sshKey: /run/secrets/c_key, knownHosts: /etc/kbsync/known_hosts}
                  - {id: d, remote: /srv/d.git}
                """);
        CoordinatorConfig config = CoordinatorConfig.load(Optional.of(file), Map.of("KBSYNC_TOKENS", TOKENS));
        assertThat(config.kbs())
                .extracting(KbConfig::credentials)
                .containsExactly(
                        Optional.of(new CredentialRef.Env("TEAM_A_TOKEN", null)),
                        Optional.of(new CredentialRef.GitHubApp(
                                "12", 34, "/run/secrets/app.pem", CredentialRef.GitHubApp.DEFAULT_API_BASE)),
                        Optional.of(new CredentialRef.SshKey("/run/secrets/c_key", "/etc/kbsync/known_hosts", true)),
                        Optional.empty());
        Path bad = yaml("kbs: [{id: a, remote: \"https://h/a.git\", credentials: {token: ghp_x1}}]\n");
        assertThatThrownBy(() -> CoordinatorConfig.load(Optional.of(bad), Map.of("KBSYNC_TOKENS", TOKENS)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("kbs[0]: unknown field \"credentials.token\"")
                .hasMessageNotContaining("ghp_x1");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "KBSYNC_HTTP_PORT | 70000 | http.port: must be 1-65535 (0 = any free port), got 70000",
                "KBSYNC_HTTP_PORT | eighty | http.port: must be an integer, got \"eighty\"",
                "KBSYNC_HTTP_BODY_LIMIT_BYTES | 10 | http.bodyLimitBytes: must be 1024-16777216, got 10",
                "KBSYNC_HTTP_SSE_KEEP_ALIVE_SECONDS | 0 | http.sseKeepAliveSeconds: must be 1-300, got 0",
                "KBSYNC_HTTP_REQUEST_READ_SECONDS | 0 | http.requestReadSeconds: must be 1-3600, got 0",
                "KBSYNC_HTTP_REQUEST_READ_SECONDS | 3601 | http.requestReadSeconds: must be 1-3600, got 3601",
                "KBSYNC_AUTH_ENABLED | yes | auth.enabled: must be true or false, got \"yes\"",
                "KBSYNC_AUTH_SCOPED_ADMIN_MAX_KBS | 0 | auth.scopedAdminMaxKbs: must be 1-100000, got 0",
                "KBSYNC_RATE_LIMIT_SUBMISSIONS | 0 | rateLimit.submissions: must be 1-1000000, got 0",
                "KBSYNC_RATE_LIMIT_WINDOW_SECONDS | 0 | rateLimit.windowSeconds: must be 1-86400, got 0",
                "KBSYNC_LEASE_TTL_SECONDS | 0 | lease.ttlSeconds: must be 1-3600, got 0",
                "KBSYNC_LEASE_MAX_HOLD_SECONDS | 10 | lease.maxHoldSeconds: must be >= lease.ttlSeconds (30), got 10",
                "KBSYNC_LEASE_WAITER_TTL_SECONDS | 0 | lease.waiterTtlSeconds: must be 3-3600, got 0",
                // a waiter's keep-alives come once a second: one a little late would drop a waiter kept alive
                "KBSYNC_LEASE_WAITER_TTL_SECONDS | 2 | lease.waiterTtlSeconds: must be 3-3600, got 2",
                "KBSYNC_LEASE_SWEEP_MILLIS | 1 | lease.sweepMillis: must be 10-60000, got 1",
                "KBSYNC_LOCK_WATCHDOG_SECONDS | 0 | lock.watchdogSeconds: must be 1-3600, got 0",
                "KBSYNC_REDIS_ADDRESS | http://x:1 | redis.address: must start with redis:// or rediss://, got \"http://x:1\"",
                "KBSYNC_REDIS_ADDRESS | http://user:pw@x:1 | redis.address: must start with redis:// or rediss://, got \"http://***@x:1\"",
                "KBSYNC_REDIS_CONFIG_FILE | /nonexistent/redisson.yaml | redis.configFile: no readable file at /nonexistent/redisson.yaml",
                "KBSYNC_JOBS_MAX_ATTEMPTS | 0 | jobs.maxAttempts: must be 1-100, got 0",
                "KBSYNC_SHUTDOWN_TIMEOUT_SECONDS | 4 | shutdown.timeoutSeconds: must be 5-3600, got 4",
                "KBSYNC_SHUTDOWN_TIMEOUT_SECONDS | 3601 | shutdown.timeoutSeconds: must be 5-3600, got 3601",
                "KBSYNC_SHUTDOWN_TIMEOUT_SECONDS | soon | shutdown.timeoutSeconds: must be an integer, got \"soon\"",
                "KBSYNC_JOBS_RETENTION_HOURS | 0 | jobs.retentionHours: must be 1-8760, got 0",
                "KBSYNC_REDIS_WAIT_REPLICAS | 17 | redis.waitReplicas: must be auto or 0-16, got 17",
                // -1 is how auto is held inside: written, it is a bad value, not auto
                "KBSYNC_REDIS_WAIT_REPLICAS | -1 | redis.waitReplicas: must be auto or 0-16, got -1",
                "KBSYNC_REDIS_WAIT_REPLICAS | some | redis.waitReplicas: must be an integer, got \"some\"",
                "KBSYNC_REDIS_WAIT_TIMEOUT_MILLIS | 5 | redis.waitTimeoutMillis: must be 10-60000, got 5",
                "KBSYNC_REDIS_ALLOW_EVICTION | yes | redis.allowEviction: must be true or false, got \"yes\"",
                "KBSYNC_TOKENS | admin:short | auth.tokens[0].token: must be at least 16 characters, or sha256:<64 lowercase hex digits>",
                "KBSYNC_TOKENS | root:root-token-000000001 | auth.tokens[0].role: role must be client, worker or admin, got \"root\"",
                "KBSYNC_TOKENS | justatoken | auth.tokens: each entry must look like role:token",
                "KBSYNC_KBS | x=/srv/x.git | kbs: each entry must look like id=remote#branch",
                "KBSYNC_KBS | x=https://u:secret@h/x.git#main | kbs[0]: remote must not carry credentials (https://***@...); name the KB's credentials instead (a variable, a secret file, a GitHub App, an SSH key)",
                "KBSYNC_KBS | X=/srv/x.git#main | kbs[0]: KB id must match [a-z0-9][a-z0-9._-]{0,63}, got \"X\"",
                "KBSYNC_KBS | a=/srv/x.git#main,b=/srv/b.git#main,a=/srv/y.git#main | kbs[2]: KB a is listed twice",
            })
    void shouldExplainEachBadValue(String variable, String value, String message) {
        assertThatThrownBy(() -> env(Map.of(variable, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @Test
    void shouldRequireTokensWhileAuthIsOn() {
        assertThatThrownBy(() -> CoordinatorConfig.load(Optional.empty(), Map.of()))
                .hasMessage("auth.tokens: at least one token is required while auth.enabled is true");
    }

    @Test
    void shouldAllowAuthOffOnlyOnLoopback() {
        Map<String, String> off = Map.of("KBSYNC_AUTH_ENABLED", "false");
        assertThat(CoordinatorConfig.load(Optional.empty(), off).auth().enabled())
                .isFalse();
        assertThat(CoordinatorConfig.load(
                                Optional.empty(), Map.of("KBSYNC_AUTH_ENABLED", "false", "KBSYNC_HTTP_HOST", "::1"))
                        .auth()
                        .enabled())
                .isFalse();
        assertThatThrownBy(() -> CoordinatorConfig.load(
                        Optional.empty(), Map.of("KBSYNC_AUTH_ENABLED", "false", "KBSYNC_HTTP_HOST", "0.0.0.0")))
                .hasMessage(
                        "auth.enabled: may be false only when http.host is a loopback address, got http.host=0.0.0.0");
    }

    @Test
    void shouldNeverShowTokensInToString() {
        CoordinatorConfig config = env(Map.of());
        assertThat(config.toString())
                .doesNotContain("admin-token-00000001")
                .contains(
                        "Token[admin-" + Token.digestOf("admin-token-00000001").substring(0, 8) + ", admin");
    }

    @Test
    void shouldReadScopedTokensGivenAsHashes() throws IOException {
        String digest = Token.digestOf("team-a-bot-token-0001");
        Path file = yaml("auth:\n  tokens:\n"
                + "    - {token: \"sha256:" + digest + "\", role: client, name: team-a-bot, kbs: [\"team-a-*\"],"
                + " users: [alice, bob], quota: 100}\n"
                + "    - {token: worker-token-0000001, role: worker}\n"
                + "rateLimit: {kbSubmissions: 30}\n");
        CoordinatorConfig config = CoordinatorConfig.load(Optional.of(file), Map.of());
        Token bot = config.auth().tokens().get(0);
        assertThat(bot.name()).isEqualTo("team-a-bot");
        assertThat(bot.sha256()).isEqualTo(digest);
        assertThat(bot.kbs().matches("team-a-notes")).isTrue();
        assertThat(bot.users().patterns()).containsExactly("alice", "bob");
        assertThat(bot.quota()).isEqualTo(100);
        assertThat(config.rateLimit().kbSubmissions()).isEqualTo(30);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "scoped worker    | {token: worker-token-0000001, role: worker, kbs: [a]}"
                        + " | auth.tokens[0]: a worker token serves every KB",
                "bad hash         | {token: 'sha256:abc', role: client} | auth.tokens[0].token: a value starting with"
                        + " sha256: must be sha256:<64 hex digits>",
                "hash cut short   | {token: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde',"
                        + " role: admin} | auth.tokens[0].token: a value starting with sha256: must be",
                "sha256sum line   | {token: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  -',"
                        + " role: admin} | auth.tokens[0].token: a value starting with sha256: must be",
                "empty kbs        | {token: client-token-0000001, role: admin, kbs: []}"
                        + " | auth.tokens[0].kbs: an empty list scopes the token to nothing",
                "empty users      | {token: client-token-0000001, role: client, users: ['']}"
                        + " | auth.tokens[0].users: an empty list scopes the token to nothing",
                "two empty kbs    | {token: client-token-0000001, role: admin, kbs: ['', '']}"
                        + " | auth.tokens[0].kbs: an empty list scopes the token to nothing",
                "bad scope        | {token: client-token-0000001, role: client, kbs: ['a*b']}"
                        + " | auth.tokens[0].kbs: a scope item is a name or a prefix ending in *",
                "bad quota        | {token: client-token-0000001, role: client, quota: -1}"
                        + " | auth.tokens[0].quota: must be 0-1000000",
                "same name twice  | {token: client-token-0000001, role: client, name: x}, {token: client-token-0000002,"
                        + " role: client, name: x} | auth.tokens: two tokens have the same name",
                "same token twice | {token: client-token-0000001, role: client}, {token: client-token-0000001,"
                        + " role: admin} | auth.tokens: the same token is configured twice",
            })
    void shouldRefuseBadTokenEntriesWithoutShowingTheToken(String name, String tokens, String message)
            throws IOException {
        Path file = yaml("auth: {tokens: [" + tokens + "]}\n");
        assertThatThrownBy(() -> CoordinatorConfig.load(Optional.of(file), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message)
                .hasMessageNotContaining("token-000000");
    }

    @Test
    void shouldReadADigestWrittenInUpperCaseHex() throws IOException {
        String digest = Token.digestOf("upper-case-digest-token-01");
        Path file = yaml("auth: {tokens: [{token: \"SHA256:" + digest.toUpperCase(java.util.Locale.ROOT)
                + "\", role: client}]}\n");

        assertThat(CoordinatorConfig.load(Optional.of(file), Map.of())
                        .auth()
                        .tokens()
                        .get(0)
                        .sha256())
                .isEqualTo(digest);
    }

    /** Each in its range, but the affinity window must end before a lease's TTL: refused at load, not at start. */
    @Test
    void shouldRefuseAnAffinityWindowNotBelowTheLeaseTtl() {
        assertThatThrownBy(() -> env(Map.of("KBSYNC_LEASE_TTL_SECONDS", "1", "KBSYNC_JOBS_AFFINITY_MILLIS", "1000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("jobs.affinityMillis: must be below lease.ttlSeconds (1000 ms), got 1000");
    }

    /**
     * A failing delivery is retried for webhooks.retrySeconds after its job ended, but its job (and with it the delivery)
     * is purged after jobs.retentionHours: a longer retry window would drop deliveries silently, uncounted.
     */
    @Test
    void shouldRefuseAWebhookRetryWindowLongerThanTheJobsRetention() {
        assertThatThrownBy(() -> env(Map.of(
                        "KBSYNC_JOBS_RETENTION_HOURS", "1",
                        "KBSYNC_WEBHOOKS_ALLOWED_HOSTS", "hooks.example.com",
                        "KBSYNC_WEBHOOKS_SECRET", "0123456789abcdef",
                        "KBSYNC_WEBHOOKS_RETRY_SECONDS", "7200")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("webhooks.retrySeconds: must not exceed jobs.retentionHours (3600 s), got 7200");
        assertThat(env(Map.of(
                                "KBSYNC_JOBS_RETENTION_HOURS", "1",
                                "KBSYNC_WEBHOOKS_ALLOWED_HOSTS", "hooks.example.com",
                                "KBSYNC_WEBHOOKS_SECRET", "0123456789abcdef",
                                "KBSYNC_WEBHOOKS_RETRY_SECONDS", "3600"))
                        .webhooks()
                        .retry())
                .isEqualTo(java.time.Duration.ofHours(1));
    }

    /** Checked at load, not at start (where it failed with exit 70 after the configured KBs were registered). */
    @Test
    void shouldRefuseAJournalOrMirrorDirectoryThatCannotBeCreated() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");

        assertThatThrownBy(() -> env(Map.of(
                        "KBSYNC_DEGRADED_JOURNAL_DIR", file.resolve("journal").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("degraded.journalDir: cannot be created: " + file + " is not a directory");
        assertThatThrownBy(() -> env(Map.of("KBSYNC_READS_MIRROR_DIR", file.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("reads.mirrorDir: cannot be created: " + file + " is not a directory");
        assertThat(env(Map.of(
                                "KBSYNC_DEGRADED_JOURNAL_DIR",
                                dir.resolve("new/journal").toString()))
                        .degraded()
                        .journalDir())
                .contains(dir.resolve("new/journal"));
    }

    @Test
    void shouldPassARedissonConfigFileThrough() throws IOException {
        Path redisson = dir.resolve("redisson.yaml");
        Files.writeString(redisson, "singleServerConfig: {address: \"redis://127.0.0.1:7000\"}\n");
        assertThat(env(Map.of("KBSYNC_REDIS_CONFIG_FILE", redisson.toString()))
                        .redis()
                        .configFile())
                .contains(redisson);
    }

    /**
     * A Redisson file Redisson cannot read (a misspelt field, broken YAML) is a bad configuration naming
     * redis.configFile (exit 2), not an unexpected failure at start (exit 70).
     */
    @Test
    void shouldRefuseARedissonConfigFileRedissonCannotRead() throws IOException {
        Path typo = Files.writeString(dir.resolve("typo.yaml"), """
                sentinelServersConfig:
                  masterName: kbsync
                  sentinelAdresses: ["redis://127.0.0.1:26379"]
                """);
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "sentinelServersConfig: [unclosed\n");

        assertThatThrownBy(() -> env(Map.of("KBSYNC_REDIS_CONFIG_FILE", typo.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("redis.configFile: " + typo + " is not a Redisson configuration Redisson can read: unknown"
                        + " or invalid field 'sentinelServersConfig.sentinelAdresses'");
        assertThatThrownBy(() -> env(Map.of("KBSYNC_REDIS_CONFIG_FILE", broken.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("redis.configFile: " + broken + " is not a Redisson configuration")
                .hasMessageContaining(" at line 2, column 1")
                .hasMessageNotContaining("\n");
    }
}
