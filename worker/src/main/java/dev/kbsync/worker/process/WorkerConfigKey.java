package dev.kbsync.worker.process;

import dev.kbsync.config.Key;

/**
 * Every worker configuration key, defined once: its dotted YAML key, default and meaning. The environment variable is
 * derived ({@code worker.http.port} -> {@code KBSYNC_WORKER_HTTP_PORT}); the loader and the generated
 * {@code docs/worker-configuration.md} both read this table.
 */
public enum WorkerConfigKey implements Key {
    COORDINATOR_URL(
            "coordinator.url",
            "http://127.0.0.1:8080",
            "Coordinator base URL (http or https), or several separated by commas (or a YAML list) in order of"
                    + " preference, all on one Redis: the worker uses the first that answers and moves back to an"
                    + " earlier one when it is ready again (docs/operations.md, \"Coordinator failover\"). Behind a"
                    + " load balancer, one URL."),
    COORDINATOR_TOKEN("coordinator.token", "(none)", "Bearer token with role `worker`; never logged."),
    COORDINATOR_CA_FILE(
            "coordinator.caFile",
            "(none)",
            "PEM CA certificate(s) the coordinator's HTTPS certificate must chain to (an https URL only); unset: the"
                    + " JVM's trust store."),
    WORKER_ID("worker.id", "<hostname>-<pid>", "Shows in the coordinator's queue view and logs."),
    CACHE_DIR(
            "cache.dir",
            ".kbsync/checkouts",
            "Where checkouts and local lock files live (a disposable cache), created if missing; a directory that"
                    + " cannot be created or written is refused at start (exit 2)."),
    CACHE_MIN_FREE_MEGABYTES(
            "cache.minFreeMegabytes",
            "100",
            "While the disk of cache.dir has less free space than this (MiB), the worker takes no jobs: /readyz answers"
                    + " 503 naming the cause, and polling resumes by itself once space is freed; 0-1048576, 0 = off"
                    + " (a job that meets a full disk still fails DISK_FULL and is queued again)."),
    CACHE_MAX_OPEN_CHECKOUTS(
            "cache.maxOpenCheckouts",
            "64",
            "How many KBs' checkouts the worker keeps open (each holds an open repository and the KB's file index in"
                    + " memory); after a job, the least recently used beyond this are closed, their work trees kept on"
                    + " disk (the KB's next job opens it again with a full reset: raise it when a worker serves more KBs in turn);"
                    + " 1-100000."),
    CONCURRENCY(
            "concurrency",
            "2",
            "Parallel poll slots, 1-64 (jobs of different KBs run in parallel; up to 4 per slot more wait on a down"
                    + " git host outside them)."),
    AGENT_COMMAND(
            "agent.command",
            "(none)",
            "The agent run for agent tasks: an argv list (YAML list, or whitespace-separated in the environment), run"
                    + " without a shell. Unset: the worker takes no agent tasks (they wait for a worker that has an"
                    + " agent). Checked at start (else exit 2): a program path (relative: from the worker's working"
                    + " directory) must be an executable file, a bare name must be on PATH."),
    AGENT_TIMEOUT(
            "agent.timeout",
            "4m",
            "The agent and all its child processes are killed after this; must be below lease.maxHold less"
                    + " lease.deadlineMargin."),
    LEASE_MAX_HOLD(
            "lease.maxHold",
            "300s",
            "The coordinator's maximum hold of one grant (its KBSYNC_LEASE_MAX_HOLD_SECONDS), against which"
                    + " agent.timeout is checked at start. At run time each lease's own deadline rules: the agent is"
                    + " killed and the job abandoned lease.deadlineMargin before it."),
    LEASE_DEADLINE_MARGIN(
            "lease.deadlineMargin",
            "5s",
            "How long before a grant's hard deadline a running job is stopped (agent killed, nothing pushed); capped"
                    + " at half the lease TTL."),
    NOTE_AGENT_COMMAND(
            "note.agent.command",
            "(none)",
            "Optional agent that turns a note's text into files (the original's LLM step); unset: a note is written"
                    + " as markdown with front matter. Checked at start as agent.command is."),
    PUSH_RETRIES("push.retries", "5", "Re-sync/re-apply/push rounds after rejected pushes, 0-100."),
    FALLBACK(
            "fallback",
            "local",
            "`local` (keep going under the local lock when the coordinator is unreachable) or"
                    + " `fail` (stop before pushing)."),
    HTTP_HOST("worker.http.host", "127.0.0.1", "Address of the health and metrics server."),
    HTTP_PORT("worker.http.port", "9090", "Port of the health and metrics server (0 = any free port)."),
    AUTHOR_EMAIL_DOMAIN("author.email.domain", "users.kbsync", "Commits are authored by `<user> <<user>@<domain>>`."),
    POLL_WAIT("poll.wait", "20s", "Long-poll wait (the coordinator caps it at 30 s, and a stop ends it at once)."),
    SHUTDOWN_GRACE(
            "shutdown.grace",
            "60s",
            "The bound of the whole stop (1s-1h): running jobs may finish within its first three quarters."),
    MAINTAIN_EVERY("maintain.every", "50", "Jobs per checkout between git maintenance (repack) runs."),
    CREDENTIALS_ENV_FILE(
            "credentials.envFile",
            "(none)",
            "A file of NAME=value lines that KB credential references ({env: NAME}) and the host defaults read before"
                    + " the process environment; read at every use, so its secrets rotate without a restart."),
    CREDENTIALS_FILE_DIRS(
            "credentials.fileDirs",
            "/run/secrets",
            "The only directories (comma-separated) whose files KB credential references may name: secret files,"
                    + " GitHub App keys, SSH keys, known_hosts."),
    CREDENTIALS_ENV_PREFIX(
            "credentials.envPrefix",
            "(none)",
            "If set, KB credential references may only name environment variables starting with it (KBSYNC_* never),"
                    + " and no agent sees a variable starting with it, whether a KB used it yet or not."),
    CREDENTIALS_GIT_TOKEN_HOSTS(
            "credentials.gitTokenHosts",
            "(none)",
            "The only hosts (comma-separated) the generic KBSYNC_GIT_USERNAME/KBSYNC_GIT_TOKEN pair is offered to:"
                    + " `git.example.com` (port 443), `git.example.com:8443`, `*.example.com` (its subdomains only);"
                    + " any other host gets no credential. Unset: any https host, with a warning at start, since"
                    + " whoever may register a KB can then receive the token (docs/operations.md, \"Git"
                    + " credentials\")."),
    CREDENTIALS_GITHUB_API_HOSTS(
            "credentials.githubApiHosts",
            "api.github.com",
            "The only hosts (comma-separated; same forms as credentials.gitTokenHosts) a KB's GitHub App reference"
                    + " may name as its `apiBase`: the worker sends the app's JWT, which mints tokens for every"
                    + " installation of the app, nowhere else (add `github.example.com` for GitHub Enterprise)."),
    BATCH_MAX(
            "batch.max",
            "16",
            "Group commit: most note jobs landed in one pull/push cycle (the polled job plus the queued note jobs right"
                    + " behind it), 1-64; `1` = one push per job. With a note agent, only as many as its runs fit in the"
                    + " grant's time left at `agent.timeout` each.");

    private final String path;
    private final String defaultText;
    private final String description;

    WorkerConfigKey(String path, String defaultText, String description) {
        this.path = path;
        this.defaultText = defaultText;
        this.description = description;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String env() {
        return Key.envName(path);
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
