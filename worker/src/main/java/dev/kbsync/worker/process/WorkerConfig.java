package dev.kbsync.worker.process;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.config.Check;
import dev.kbsync.config.ConfigException;
import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.apply.AgentProgram;
import dev.kbsync.worker.credentials.CredentialSettings;
import dev.kbsync.worker.fallback.FallbackMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Worker settings, validated. The token never appears in {@link #toString()}. {@code agent} and {@code noteAgent} are
 * chosen by the operator; a worker without an agent takes no agent tasks ({@link #kinds()}). {@code maxHold} is the
 * coordinator's maximum hold as the operator configured it here: an agent timeout not below it (less
 * {@code deadlineMargin}) is refused; at run time each lease's own deadline rules. {@code shutdownGrace} bounds the
 * whole stop ({@link WorkerProcess#stop()}).
 */
public record WorkerConfig(
        List<URI> coordinatorUrls,
        String token,
        String workerId,
        Path cacheDir,
        int cacheMinFreeMegabytes,
        int cacheMaxOpenCheckouts,
        int concurrency,
        Optional<AgentCommand> agent,
        Optional<AgentCommand> noteAgent,
        int pushRetries,
        FallbackMode fallback,
        String httpHost,
        int httpPort,
        String emailDomain,
        Duration pollWait,
        Duration shutdownGrace,
        int maintainEvery,
        int batchMax,
        CredentialSettings credentials,
        Optional<Path> coordinatorCaFile,
        Duration maxHold,
        Duration deadlineMargin) {
    /** The least and the most {@code shutdown.grace}: the bound of a worker's whole stop. */
    static final Duration GRACE_MIN = Duration.ofSeconds(1);

    static final Duration GRACE_MAX = Duration.ofHours(1);

    public WorkerConfig {
        if (coordinatorUrls == null || coordinatorUrls.isEmpty()) {
            throw ConfigException.of(WorkerConfigKey.COORDINATOR_URL, "must name at least one coordinator");
        }
        coordinatorUrls = List.copyOf(coordinatorUrls);
        for (URI url : coordinatorUrls) {
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw ConfigException.of(
                        WorkerConfigKey.COORDINATOR_URL, "must be http(s), got " + Check.safe(url.toString()));
            }
            if (url.getPort() > 65535) { // URI takes any number; the client refused it at start (exit 70)
                throw ConfigException.of(
                        WorkerConfigKey.COORDINATOR_URL,
                        "port must be 1-65535, got " + url.getPort() + " in " + Check.safe(url.toString()));
            }
        }
        if (new HashSet<>(coordinatorUrls).size() != coordinatorUrls.size()) {
            throw ConfigException.of(
                    WorkerConfigKey.COORDINATOR_URL,
                    "lists a coordinator twice: " + Check.safe(coordinatorUrls.toString()));
        }
        try {
            token = Objects.requireNonNullElse(ClientOptions.bearerToken(token), "");
        } catch (IllegalArgumentException e) { // its message does not show the token
            throw ConfigException.of(WorkerConfigKey.COORDINATOR_TOKEN, e.getMessage());
        }
        if (workerId == null || !workerId.matches("[A-Za-z0-9._-]{1,100}")) {
            throw ConfigException.of(
                    WorkerConfigKey.WORKER_ID, "must match [A-Za-z0-9._-]{1,100}, got " + Check.safe(workerId));
        }
        Objects.requireNonNull(cacheDir, "cache dir");
        // here, not at the first job: a worker that cannot write its checkouts would start, report ready and fail
        // every job it takes
        Check.writableDir(WorkerConfigKey.CACHE_DIR, cacheDir);
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(noteAgent, "noteAgent");
        Objects.requireNonNull(fallback, "fallback");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(coordinatorCaFile, "coordinatorCaFile");
        for (URI url : coordinatorUrls) {
            if (coordinatorCaFile.isPresent() && !"https".equals(url.getScheme())) {
                throw ConfigException.of(
                        WorkerConfigKey.COORDINATOR_CA_FILE, "is set, but coordinator.url is not https: " + url);
            }
        }
        if (emailDomain == null || emailDomain.isBlank() || emailDomain.contains("@")) {
            throw ConfigException.of(
                    WorkerConfigKey.AUTHOR_EMAIL_DOMAIN,
                    "must be a bare domain (commits are authored <user>@<domain>), got " + Check.safe(emailDomain));
        }
        Check.range(WorkerConfigKey.CACHE_MIN_FREE_MEGABYTES, cacheMinFreeMegabytes, 0, 1 << 20, "0-1048576");
        Check.range(WorkerConfigKey.CACHE_MAX_OPEN_CHECKOUTS, cacheMaxOpenCheckouts, 1, 100_000, "1-100000");
        Check.range(WorkerConfigKey.CONCURRENCY, concurrency, 1, 64, "1-64");
        Check.range(WorkerConfigKey.PUSH_RETRIES, pushRetries, 0, 100, "0-100");
        Check.range(WorkerConfigKey.HTTP_PORT, httpPort, 0, 65535, "0-65535");
        Check.range(WorkerConfigKey.MAINTAIN_EVERY, maintainEvery, 1, 1_000_000, "1-1000000");
        Check.range(WorkerConfigKey.BATCH_MAX, batchMax, 1, 64, "1-64");
        positive(WorkerConfigKey.POLL_WAIT, pollWait);
        if (shutdownGrace == null || shutdownGrace.compareTo(GRACE_MIN) < 0 || shutdownGrace.compareTo(GRACE_MAX) > 0) {
            throw ConfigException.of(
                    WorkerConfigKey.SHUTDOWN_GRACE,
                    "must be 1s-1h (the bound of the whole stop), got " + shown(shutdownGrace));
        }
        positive(WorkerConfigKey.LEASE_MAX_HOLD, maxHold);
        if (deadlineMargin == null || deadlineMargin.isNegative() || deadlineMargin.compareTo(maxHold) >= 0) {
            throw ConfigException.of(
                    WorkerConfigKey.LEASE_DEADLINE_MARGIN,
                    "must be >= 0 and below lease.maxHold (" + maxHold + "), got " + deadlineMargin);
        }
        Duration budget = maxHold.minus(deadlineMargin);
        agent.ifPresent(a -> belowHold(WorkerConfigKey.AGENT_TIMEOUT, a.timeout(), budget));
        noteAgent.ifPresent(a -> belowHold(WorkerConfigKey.AGENT_TIMEOUT, a.timeout(), budget));
    }

    /**
     * Refuses ({@link ConfigException}) an {@code agent.command} or {@code note.agent.command} whose program this host
     * cannot run (a path that is no executable file, a name not on {@code pathVariable}): the worker would take those
     * tasks and fail every one. At start, not in the constructor: {@code kbsync doctor} reports it as a check.
     */
    public void requireRunnableAgents(String pathVariable) {
        runnable(WorkerConfigKey.AGENT_COMMAND, agent, pathVariable);
        runnable(WorkerConfigKey.NOTE_AGENT_COMMAND, noteAgent, pathVariable);
    }

    private static void runnable(WorkerConfigKey key, Optional<AgentCommand> agent, String pathVariable) {
        agent.flatMap(a -> AgentProgram.problem(a.argv().get(0), pathVariable)).ifPresent(problem -> {
            throw ConfigException.of(key, problem);
        });
    }

    /**
     * An agent allowed to run as long as a grant lives would always be cut off by the deadline (and its job retried
     * until its attempts are used up): refused at start.
     */
    private static void belowHold(WorkerConfigKey key, Duration timeout, Duration budget) {
        if (timeout.compareTo(budget) >= 0) {
            throw ConfigException.of(
                    key,
                    "must be below lease.maxHold less lease.deadlineMargin (" + budget + "), got " + timeout
                            + "; raise the coordinator's maximum hold (and lease.maxHold) or shorten the agent");
        }
    }

    /**
     * What to say at start when a poll in flight does not fit the drain (the first three quarters of {@code
     * shutdown.grace}): its coordinator ends it at the worker's drain, but a stop whose drain does not reach it (another
     * coordinator than the poll's) waits for it, and may then end cut short (exit 124).
     */
    public Optional<String> stopWarning() {
        if (pollWait.compareTo(drain()) <= 0) {
            return Optional.empty();
        }
        long leastGraceSeconds = (pollWait.toMillis() * 4 + 2999) / 3000;
        return Optional.of("shutdown.grace " + shown(shutdownGrace) + " leaves a poll in flight (poll.wait "
                + shown(pollWait) + ") " + shown(drain()) + " to be answered in a stop whose drain does not reach the"
                + " poll's coordinator: such a stop may be cut short (exit 124); set shutdown.grace to at least "
                + leastGraceSeconds + "s or poll.wait"
                + " to at most " + shown(drain()));
    }

    /** The stop's bound in words, for {@code kbsync doctor} when {@link #stopWarning} has nothing to say. */
    public String stopBound() {
        return "at most " + shown(shutdownGrace) + " (shutdown.grace); a poll in flight (poll.wait " + shown(pollWait)
                + ") fits its first " + shown(drain());
    }

    /** The first three quarters of {@code shutdown.grace}, in which running jobs may finish (and polls be answered). */
    public Duration drain() {
        return shutdownGrace.minus(shutdownGrace.dividedBy(4));
    }

    /** The kinds of job this worker runs: note jobs, and agent tasks when an agent is configured. */
    public Set<JobKind> kinds() {
        return agent.isPresent() ? EnumSet.allOf(JobKind.class) : EnumSet.of(JobKind.NOTE);
    }

    /** The first (preferred) coordinator. */
    public URI coordinatorUrl() {
        return coordinatorUrls.get(0);
    }

    /**
     * How to reach the coordinators: their URLs in order of preference, the worker token (if any), the CA file for
     * HTTPS if any, and connections enough for every slot.
     */
    public ClientOptions clientOptions() {
        // two connections a slot (its long poll, and its heartbeats and results while another slot polls), at least
        // the client's 8: a call that waits for a free connection past the connect timeout fails as unreachable
        ClientOptions options = ClientOptions.of(coordinatorUrls, token.isEmpty() ? null : token)
                .withMaxConnections(Math.max(8, 2 * concurrency + 2));
        return coordinatorCaFile.map(options::withCaFile).orElse(options);
    }

    @Override
    public String toString() {
        return "WorkerConfig[coordinators=" + coordinatorUrls + ", token=" + (token.isEmpty() ? "<none>" : "***")
                + ", workerId=" + workerId + ", cacheDir=" + cacheDir + " (min free " + cacheMinFreeMegabytes + " MiB)"
                + ", concurrency=" + concurrency
                + ", agent=" + agent.map(a -> a.argv().get(0)).orElse("<none>") + ", pushRetries=" + pushRetries
                + ", fallback=" + fallback + ", http=" + httpHost + ":" + httpPort + ", batchMax=" + batchMax + "]";
    }

    /** {@code 90s}, or {@code 500ms} for a duration not in whole seconds. */
    private static String shown(Duration value) {
        return value == null
                ? "nothing"
                : value.toMillis() % 1000 == 0 ? value.toSeconds() + "s" : value.toMillis() + "ms";
    }

    private static void positive(WorkerConfigKey key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw ConfigException.of(key, "must be a positive duration, got " + value);
        }
    }
}
