package dev.kbsync.coordinator.config;

import dev.kbsync.config.Key;

/**
 * Every coordinator configuration key, defined once: its YAML path, its environment variable (which overrides the
 * file), its default and what it means. The loader and the generated {@code docs/configuration.md} both read this
 * table.
 */
public enum ConfigKey implements Key {
    COORDINATOR_ID(
            "coordinatorId",
            "KBSYNC_COORDINATOR_ID",
            "<hostname>-<pid>",
            "Name of this coordinator in logs and Redis."),
    HTTP_HOST("http.host", "KBSYNC_HTTP_HOST", "127.0.0.1", "Address the HTTP server binds to."),
    HTTP_PORT("http.port", "KBSYNC_HTTP_PORT", "8080", "HTTP port, 1-65535 (0 picks a free port, for tests)."),
    HTTP_BODY_LIMIT_BYTES(
            "http.bodyLimitBytes",
            "KBSYNC_HTTP_BODY_LIMIT_BYTES",
            "65536",
            "Largest accepted request body (413 above), 1024-16777216."),
    HTTP_MAX_TEXT_CHARS(
            "http.maxTextChars",
            "KBSYNC_HTTP_MAX_TEXT_CHARS",
            "32000",
            "Longest note text or agent task, in characters, 1-1048576."),
    HTTP_SSE_KEEP_ALIVE_SECONDS(
            "http.sseKeepAliveSeconds",
            "KBSYNC_HTTP_SSE_KEEP_ALIVE_SECONDS",
            "15",
            "Interval of keep-alive comments on event streams, 1-300 (sent to clients in X-Kbsync-Keep-Alive-Seconds;"
                    + " the Java and Python clients take a stream silent for 2.5 of them for broken); lease channels are"
                    + " pinged every third of it: keep that well below the clients' stream idle timeout (60 s in the"
                    + " Java client), which takes a channel that long silent for broken."),
    HTTP_REQUEST_READ_SECONDS(
            "http.requestReadSeconds",
            "KBSYNC_HTTP_REQUEST_READ_SECONDS",
            "60",
            "How long a connection may take to send a whole request (request line, headers and body), counted from"
                    + " when it opened or its previous answer ended; a connection that takes longer (a stalled or"
                    + " trickling request, a body shorter than its Content-Length, an idle keep-alive connection) is"
                    + " closed (answered 408 first when its headers had arrived), 1-3600. Answers that take long on"
                    + " purpose (long polls, event streams, the lease channel) are not limited by it. Keep it above how long clients keep an idle"
                    + " connection (the Java client: 20 s)."),
    HTTP_TLS_CERT_FILE(
            "http.tls.certFile",
            "KBSYNC_HTTP_TLS_CERT_FILE",
            "(none)",
            "PEM certificate (chain) to serve HTTPS with, together with http.tls.keyFile; unset: plain HTTP."),
    HTTP_TLS_KEY_FILE(
            "http.tls.keyFile", "KBSYNC_HTTP_TLS_KEY_FILE", "(none)", "PEM private key of http.tls.certFile."),
    HTTP_TLS_RELOAD_SECONDS(
            "http.tls.reloadSeconds",
            "KBSYNC_HTTP_TLS_RELOAD_SECONDS",
            "10",
            "How often the certificate and key files are checked; changed files are served from then on, no restart;"
                    + " 1-86400."),
    AUTH_ENABLED(
            "auth.enabled",
            "KBSYNC_AUTH_ENABLED",
            "true",
            "Require bearer tokens; may be false only when http.host is a loopback address."),
    AUTH_TOKENS(
            "auth.tokens",
            "KBSYNC_TOKENS",
            "(none)",
            "Bearer tokens: YAML list of {token, role, name, kbs, users, quota}; env form `admin:tok1,worker:tok2,client:tok3`"
                    + " (unscoped). Roles: client, worker, admin. A token is at least 16 characters, or given as"
                    + " `sha256:<64 hex digits>` of the token (any other value starting with `sha256:` is refused)."
                    + " `name` shows in logs (default <role>-<digest prefix>); `kbs` and `users` (non-empty lists of"
                    + " names or prefixes ending in *) scope a client or admin token; `quota`"
                    + " caps its submissions per rate-limit window (docs/api.md, scopes)."),
    AUTH_METRICS_PUBLIC("auth.metricsPublic", "KBSYNC_METRICS_PUBLIC", "false", "Serve /metrics without a token."),
    AUTH_SCOPED_ADMIN_MAX_KBS(
            "auth.scopedAdminMaxKbs",
            "KBSYNC_AUTH_SCOPED_ADMIN_MAX_KBS",
            "100",
            "Most KBs a scoped admin token registers into its scope, 1-100000: a registration of a new KB while the"
                    + " KBs registered under the token's `kbs` number this many is refused (409 SCOPE_KB_LIMIT);"
                    + " changing an existing KB and an unscoped admin's registrations are not bounded."),
    RATE_LIMIT_SUBMISSIONS(
            "rateLimit.submissions",
            "KBSYNC_RATE_LIMIT_SUBMISSIONS",
            "20",
            "Job submissions allowed per user per window (shared by all coordinators), 1-1000000."),
    RATE_LIMIT_KB_SUBMISSIONS(
            "rateLimit.kbSubmissions",
            "KBSYNC_RATE_LIMIT_KB_SUBMISSIONS",
            "0",
            "Job submissions allowed per KB per window, all users and tokens together, 0-1000000 (0 = no per-KB"
                    + " limit)."),
    RATE_LIMIT_WINDOW_SECONDS(
            "rateLimit.windowSeconds", "KBSYNC_RATE_LIMIT_WINDOW_SECONDS", "60", "Sliding rate-limit window, 1-86400."),
    LEASE_TTL_SECONDS(
            "lease.ttlSeconds", "KBSYNC_LEASE_TTL_SECONDS", "30", "A holder silent this long loses its lease, 1-3600."),
    LEASE_MAX_HOLD_SECONDS(
            "lease.maxHoldSeconds",
            "KBSYNC_LEASE_MAX_HOLD_SECONDS",
            "300",
            "Hard cap on one grant, heartbeats included; also the largest ttlMs a client may ask for; 1-86400 and at"
                    + " least lease.ttlSeconds."),
    LEASE_WAITER_TTL_SECONDS(
            "lease.waiterTtlSeconds",
            "KBSYNC_LEASE_WAITER_TTL_SECONDS",
            "4",
            "A raw lease waiter not kept alive (heartbeat or open event stream) this long leaves the queue, 3-3600 (its"
                    + " keep-alives come once a second)."),
    LEASE_SWEEP_MILLIS(
            "lease.sweepMillis",
            "KBSYNC_LEASE_SWEEP_MILLIS",
            "250",
            "How often the sweep runs: an expiry that falls due is acted on within this long; a KB with nothing due is swept when it changes, else at the latest 1 s (held) or 5 s (idle) later; 10-60000. A poll that finds the oldest waiting job's grant lapsed waits up to 2 s for the sweep to grant it again (then it takes the next KB), so keep this well under 2 s."),
    LOCK_WATCHDOG_SECONDS(
            "lock.watchdogSeconds",
            "KBSYNC_LOCK_WATCHDOG_SECONDS",
            "10",
            "Redisson lock watchdog: a dead coordinator's KB locks lapse after this long, 1-3600."),
    JOBS_MAX_ATTEMPTS(
            "jobs.maxAttempts",
            "KBSYNC_JOBS_MAX_ATTEMPTS",
            "3",
            "Grants of a job that may end without an outcome (the worker went silent or overran lease.maxHoldSeconds,"
                    + " or waited for an unreachable git remote until the grant's deadline, or could not tell whether"
                    + " its push landed) before the job fails with LEASE_EXPIRED, MAX_HOLD_EXCEEDED, REMOTE_UNAVAILABLE"
                    + " or PUSH_UNCERTAIN, 1-100."),
    JOBS_RETENTION_HOURS(
            "jobs.retentionHours",
            "KBSYNC_JOBS_RETENTION_HOURS",
            "168",
            "How long finished jobs are kept, with their idempotency keys (which also name a job that still waits, however"
                    + " long); ended raw leases: at most 1 h. 1-8760."),
    JOBS_AFFINITY_MILLIS(
            "jobs.affinityMillis",
            "KBSYNC_JOBS_AFFINITY_MILLIS",
            "50",
            "Worker affinity: how long a KB's next job waits for the worker that published the KB's last batch (its"
                    + " checkout is up to date) before any worker may take it, 0-1000 and below lease.ttlSeconds; 0"
                    + " turns affinity off."),
    WEBHOOKS_ALLOWED_HOSTS(
            "webhooks.allowedHosts",
            "KBSYNC_WEBHOOKS_ALLOWED_HOSTS",
            "(none)",
            "Hosts (comma-separated) a job's callbackUrl may name: exact names or IP literals, or `*.example.com` for"
                    + " any name under example.com (two labels or more after `*.`; never an IP literal); checked at"
                    + " submit and again before each delivery, which connects to an address the host resolves to only"
                    + " if it is public or is itself listed as an IP literal (so an internal receiver's address must be"
                    + " listed too); unset: webhooks off, every callbackUrl is refused (400 CALLBACK_NOT_ALLOWED)."),
    WEBHOOKS_SECRET(
            "webhooks.secret",
            "KBSYNC_WEBHOOKS_SECRET",
            "(none)",
            "HMAC-SHA256 key that signs webhook deliveries (Kbsync-Signature), at least 16 characters; required when"
                    + " webhooks.allowedHosts is set. One for the deployment: every token scope's deliveries are signed"
                    + " with it."),
    WEBHOOKS_RETRY_SECONDS(
            "webhooks.retrySeconds",
            "KBSYNC_WEBHOOKS_RETRY_SECONDS",
            "3600",
            "How long after a job's terminal state a failing webhook delivery is retried (backoff 1 s doubling up to"
                    + " 5 min), 1-604800 and at most jobs.retentionHours (the job, and its delivery, is purged then);"
                    + " then it is dropped."),
    WEBHOOKS_LEASE_SECONDS(
            "webhooks.leaseSeconds",
            "KBSYNC_WEBHOOKS_LEASE_SECONDS",
            "30",
            "How long a webhook delivery a coordinator claimed stays its own before any coordinator delivers it (again,"
                    + " if that one died before its answer), 1-3600; a POST times out after at most 10 s and half this."),
    DEGRADED_JOURNAL_DIR(
            "degraded.journalDir",
            "KBSYNC_DEGRADED_JOURNAL_DIR",
            "(none)",
            "Where this coordinator keeps its degraded-mode journal (a directory of its own, on a local disk): while"
                    + " Redis is unreachable, notes and agent tasks are appended there (fsynced before the 202) and"
                    + " handed to this coordinator's workers under local fencing tokens; they move into Redis when it"
                    + " returns. Set, the coordinator also starts while Redis is down (in degraded mode, connecting in"
                    + " the background) and keeps the KBs it knows there (kbs.json). Unset: no degraded mode,"
                    + " submissions answer 503 REDIS_UNAVAILABLE, and the coordinator does not start without Redis."),
    DEGRADED_JOURNAL_MAX_ENTRIES(
            "degraded.journalMaxEntries",
            "KBSYNC_DEGRADED_JOURNAL_MAX_ENTRIES",
            "10000",
            "Most jobs the journal holds; past it submissions answer 503 JOURNAL_UNAVAILABLE, 1-1000000."),
    SHUTDOWN_TIMEOUT_SECONDS(
            "shutdown.timeoutSeconds",
            "KBSYNC_SHUTDOWN_TIMEOUT_SECONDS",
            "20",
            "The longest a stop (SIGTERM, SIGINT) may take, 5-3600: requests under way get up to 5 s of it, then the"
                    + " journal, the engine and the Redis client stop. A stop not finished by then (Redis does not"
                    + " answer, say) is cut short: one WARN names what had not finished and the process exits 124."
                    + " Nothing accepted is lost: jobs in Redis stay there, jobs in the degraded-mode journal are on"
                    + " disk and restored at the next start. Keep it below the supervisor's own stop timeout"
                    + " (Kubernetes' terminationGracePeriodSeconds, systemd's TimeoutStopSec)."),
    READS_MIRROR_DIR(
            "reads.mirrorDir",
            "KBSYNC_READS_MIRROR_DIR",
            "(none)",
            "Where the coordinator keeps its bare mirror of each KB that was read (GET /v1/kbs/{kb}/files, tree, log);"
                    + " unset: a temporary directory removed at stop (or by the next start after a crash; each start fetches a KB again on"
                    + " its first read)."),
    READS_REFRESH_SECONDS(
            "reads.refreshSeconds",
            "KBSYNC_READS_REFRESH_SECONDS",
            "30",
            "How often a mirror read in the last 10 minutes is fetched besides when a job of its KB lands, 1-3600."),
    READS_AFTER_WAIT_SECONDS(
            "reads.afterWaitSeconds",
            "KBSYNC_READS_AFTER_WAIT_SECONDS",
            "10",
            "How long a read with ?after=<commit> waits for the commit to reach the mirror (then 503), 0-60."),
    READS_CREDENTIAL_DIRS(
            "reads.credentialDirs",
            "KBSYNC_READS_CREDENTIAL_DIRS",
            "(none)",
            "Directories (comma-separated) whose files a KB's `file` credential reference may name for the"
                    + " coordinator's own fetches of its mirrors; unset: the coordinator fetches without credentials"
                    + " (it never uses `env`, `githubApp` or `sshKey` references, which are the workers')."),
    REDIS_ADDRESS(
            "redis.address",
            "KBSYNC_REDIS_ADDRESS",
            "redis://127.0.0.1:6379",
            "Single Redis server address (redis:// or rediss://)."),
    REDIS_CONFIG_FILE(
            "redis.configFile",
            "KBSYNC_REDIS_CONFIG_FILE",
            "(none)",
            "A Redisson YAML config (Sentinel, Cluster, TLS, passwords); replaces redis.address when set. Read with"
                    + " the rest of the configuration: a file Redisson cannot read (a misspelt field, broken YAML) is"
                    + " refused at start (exit 2)."),
    REDIS_WAIT_REPLICAS(
            "redis.waitReplicas",
            "KBSYNC_REDIS_WAIT_REPLICAS",
            "auto",
            "Replicas that must confirm a write that creates a job or a grant before it is answered (Redis WAIT),"
                    + " 0-16; auto: 1 once every master has a replica connected (asked at start, then every 5 s until then), else"
                    + " 0."),
    REDIS_WAIT_TIMEOUT_MILLIS(
            "redis.waitTimeoutMillis",
            "KBSYNC_REDIS_WAIT_TIMEOUT_MILLIS",
            "1000",
            "How long to wait for those replicas; on a shortfall the call answers 503 REPLICATION_TIMEOUT, 10-60000."),
    REDIS_ALLOW_EVICTION(
            "redis.allowEviction",
            "KBSYNC_REDIS_ALLOW_EVICTION",
            "false",
            "Start even though a Redis master's maxmemory-policy is not noeviction (it may evict :lease and :fence"
                    + " keys and break mutual exclusion and fencing)."),
    KBS(
            "kbs",
            "KBSYNC_KBS",
            "(none)",
            "KBs registered at start: YAML list of {id, remote, branch, notePath, credentials, dedupeWindowSeconds};"
                    + " env form"
                    + " `id=remote#branch,...` (default notePath, no credentials). notePath is where notes without a"
                    + " path go (default `notes/{yyyy}/{MM}/{slug}.md`; rules in docs/api.md, PUT /v1/kbs/{kb}); a bad"
                    + " one stops the start with a message naming the entry. `credentials` names where workers find"
                    + " the KB's git credential, never the secret: {env: VAR}, {file: /path}, {githubApp: {appId,"
                    + " installationId, privateKeyFile, apiBase}} or {sshKey: /path, knownHosts: /path}"
                    + " (docs/operations.md). `dedupeWindowSeconds` (0-86400, default 0: off): a submission with the"
                    + " same user and content as one accepted within that many seconds answers 200 with the first"
                    + " job instead of queuing a second one.");

    private final String path;
    private final String env;
    private final String defaultText;
    private final String description;

    ConfigKey(String path, String env, String defaultText, String description) {
        this.path = path;
        this.env = env;
        this.defaultText = defaultText;
        this.description = description;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String env() {
        return env;
    }

    @Override
    public String defaultText() {
        return defaultText;
    }

    @Override
    public String description() {
        return description;
    }
}
