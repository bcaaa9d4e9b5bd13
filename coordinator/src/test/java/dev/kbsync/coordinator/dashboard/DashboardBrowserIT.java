package dev.kbsync.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium against a real coordinator on Redis: jobs appear as waiters, move up to
 * holder when a worker polls, and leave when their result is reported; finished jobs and failures appear with their
 * commit links and error codes; workers appear, busy or idle, then gone; an admin token typed in turns on
 * force-release. Leaves {@code target/dashboard.png} (the source of {@code docs/dashboard.png}).
 */
class DashboardBrowserIT {
    private static final String TOKEN = "admin-dashboard-token-0001";
    private static final String READER = "client-dashboard-token-01";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    /**
     * One browser for the class: a browser start took about 9 CPU seconds. Each test's coordinator listens on a port of
     * its own, so each test's page is another origin, with storage of its own.
     */
    private static DashboardPage page;

    private final Vertx vertx = Vertx.vertx();
    private Coordinator coordinator;
    private KbsyncClient api;

    @BeforeAll
    static void openBrowser(@TempDir Path profile) {
        assumeTrue(
                DashboardPage.available(),
                "needs /usr/bin/chromium and /usr/bin/chromedriver (Debian packages chromium, chromium-driver)");
        page = DashboardPage.open(profile);
    }

    @AfterAll
    static void closeBrowser() {
        if (page != null) {
            page.close();
        }
    }

    @BeforeEach
    void start() {
        RespClient.once(redis.process().port(), Duration.ofSeconds(5), "FLUSHALL"); // each test on an empty Redis
        coordinator = Coordinator.start(vertx, config(Map.of())).await();
        api = KbsyncClient.create(vertx, ClientOptions.of(URI.create("http://127.0.0.1:" + coordinator.port()), TOKEN));
    }

    @AfterEach
    void stop() {
        if (page != null) {
            page.get("about:blank"); // the next test's page starts from nothing
        }
        if (api != null) {
            api.close();
        }
        if (coordinator != null) {
            coordinator.stop().await();
        }
        vertx.close().await();
    }

    @Test
    void shouldShowJobsWaitingThenMovingUpThenGone() throws Exception {
        putKb("team");
        String first = note("team", "alice");
        String second = note("team", "bob");
        String third = note("team", "carol");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + TOKEN);

        // The engine grants the KB's lock to the head job at once; it waits there for a worker.
        DashboardPage.awaitPage(() -> {
            assertThat(page.holder("team")).isEqualTo(first);
            assertThat(page.waiters("team")).containsExactly(second, third);
        });
        assertThat(page.script("return document.getElementById('status').textContent"))
                .isEqualTo("live");
        Job waiting = api.job(third);
        assertThat(page.script("return document.querySelector('#kb-team [data-job=\"" + third + "\"]').textContent"))
                .as("the waiter's line shows the job's own estimate (the band kbsync note prints; here ~<1 s: the notes"
                        + " behind an unclaimed note's grant join its group commit)")
                .asString()
                .endsWith(", starts in ~" + band(waiting.etaMs(), waiting.etaP90Ms()));

        Assignment assignment = poll("w1");
        assertThat(assignment.job().id()).isEqualTo(first);
        done(assignment);
        DashboardPage.awaitPage(() -> {
            assertThat(page.holder("team")).isEqualTo(second);
            assertThat(page.waiters("team")).containsExactly(third);
        });

        Assignment next = poll("w1");
        assertThat(next.job().id()).isEqualTo(second);
        done(next, "9d1e0c4a00000000000000000000000000000000", "https://github.com/acme/team/commit/9d1e0c4a");
        DashboardPage.awaitPage(() -> {
            assertThat(page.holder("team")).isEqualTo(third);
            assertThat(page.waiters("team")).isEmpty();
            assertThat(page.script("return document.querySelector('#kb-team').textContent"))
                    .asString()
                    .doesNotContain(first, second);
        });

        showRealUse();
        page.screenshot(Path.of("target/dashboard.png"));
    }

    @Test
    void shouldShowRecentJobsWithCommitLinksAndFailuresWithTheirCodes() {
        putKb("docs");
        String landed = note("docs", "alice");
        String broken = note("docs", "bob");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        done(poll("w1"), "9d1e0c4a00000000000000000000000000000000", "https://github.com/acme/docs/commit/9d1e0c4a");
        Assignment second = poll("w1");
        api.reportResult(
                broken,
                new JobOutcome.Failed(second.lease().id(), new JobError("PUSH_REJECTED", "gave up after 5"), 5));

        DashboardPage.awaitPage(() -> {
            assertThat(page.jobs("docs", "recent")).containsExactly(broken, landed);
            assertThat(page.jobs("docs", "failure")).containsExactly(broken);
        });
        String item = "#kb-docs [data-role=recent][data-job='" + landed + "']";
        assertThat(page.script("return document.querySelector(\"" + item + "\").dataset.state"))
                .isEqualTo("done");
        assertThat(page.script("return document.querySelector(\"" + item + " a\").href"))
                .isEqualTo("https://github.com/acme/docs/commit/9d1e0c4a");
        assertThat(page.script("return document.querySelector(\"" + item + " a\").textContent"))
                .isEqualTo("9d1e0c4");
        assertThat(page.script("return document.querySelector(\"#kb-docs [data-role=failure] [data-role=error-code]\")"
                        + ".textContent"))
                .isEqualTo("PUSH_REJECTED");
    }

    @Test
    void shouldShowWorkersRunningThenIdleThenGone() {
        putKb("ops");
        String job = note("ops", "carol");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        Assignment running = poll("w-busy");
        api.renewWorker("w-busy", presence(running, 0));

        DashboardPage.awaitPage(() -> {
            assertThat(page.script("return document.querySelector('[data-worker=w-busy]').dataset.state"))
                    .isEqualTo("up");
            assertThat(page.script(
                            "return [...document.querySelectorAll('[data-worker=w-busy] [data-role=worker-job]')]"
                                    + ".map(e => e.dataset.job)"))
                    .isEqualTo(List.of(job));
        });
        done(running, "c0ffee1000000000000000000000000000000000", null);
        api.renewWorker("w-busy", presence(null, 1));
        DashboardPage.awaitPage(
                () -> assertThat(page.script("return document.querySelector('[data-worker=w-busy]').textContent"))
                        .asString()
                        .contains("1 of 1 slots idle · notes only (no agent)")
                        .doesNotContain(job));
        // Nothing renews it any more: gone within one lease TTL (3 s here).
        DashboardPage.awaitPage(
                () -> assertThat(page.script("return document.querySelector('[data-worker=w-busy]').dataset.state"))
                        .isEqualTo("gone"));
    }

    @Test
    void shouldForceReleaseAKbOnlyWithTheAdminTokenTypedIn() {
        putKb("ops");
        Lease stuck = api.requestLease(
                KbId.of("ops"), LeaseRequest.of("backup-script").withTtl(Duration.ofMinutes(1)));
        assertThat(stuck.state()).isEqualTo(LeaseState.GRANTED);
        String next = note("ops", "dave");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        DashboardPage.awaitPage(() -> assertThat(page.waiters("ops")).containsExactly(next));
        assertThat(page.script("return document.querySelectorAll('[data-action=force-release]').length"))
                .as("read only without an admin token")
                .isEqualTo(0L);

        // a client token typed in: the page asks the coordinator its role (GET /v1/whoami) and offers no admin action
        page.typeAdminToken(READER);
        DashboardPage.awaitPage(
                () -> assertThat(page.script("return document.getElementById('admin-state').textContent"))
                        .asString()
                        .startsWith("read only")
                        .contains("client token"));
        page.refresh();
        DashboardPage.awaitPage(() -> assertThat(page.waiters("ops")).containsExactly(next));
        assertThat(page.script("return document.querySelectorAll('[data-action=force-release],[data-action=cancel]')"
                        + ".length"))
                .as("no admin actions offered to a client token")
                .isEqualTo(0L);
        assertThat(page.script("return document.getElementById('admin-state').textContent"))
                .isEqualTo("read only");
        page.typeAdminToken("unknown-token-00000000001");
        DashboardPage.awaitPage(() -> assertThat(page.script("return document.getElementById('message').textContent"))
                .asString()
                .contains("UNAUTHENTICATED"));
        assertThat(page.script("return document.getElementById('admin-state').textContent"))
                .isEqualTo("read only");

        page.script("document.getElementById('admin-forget').click()");
        page.typeAdminToken(TOKEN);
        page.refresh(); // kept for this tab (sessionStorage)
        DashboardPage.awaitPage(
                () -> assertThat(page.script("return document.getElementById('admin-state').textContent"))
                        .isEqualTo("admin actions on"));
        forceRelease("ops", stuck, next);
    }

    @Test
    void shouldCancelAQueuedJobWithTheAdminToken() {
        putKb("queue");
        Lease stuck = api.requestLease(
                KbId.of("queue"), LeaseRequest.of("backup-script").withTtl(Duration.ofMinutes(1)));
        assertThat(stuck.state()).isEqualTo(LeaseState.GRANTED);
        String doomed = note("queue", "erin");
        String kept = note("queue", "frank");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        DashboardPage.awaitPage(() -> assertThat(page.waiters("queue")).containsExactly(doomed, kept));
        assertThat(page.script("return document.querySelectorAll('[data-action=cancel]').length"))
                .as("read only without an admin token")
                .isEqualTo(0L);

        page.typeAdminToken(TOKEN);
        String button = "#kb-queue [data-job='" + doomed + "'] [data-action=cancel]";
        DashboardPage.awaitPage(
                () -> assertThat(page.script("return document.querySelector(\"" + button + "\") !== null"))
                        .isEqualTo(true));
        page.script("document.querySelector(\"" + button + "\").click()");

        DashboardPage.awaitPage(() -> assertThat(page.waiters("queue")).containsExactly(kept));
        assertThat(api.job(doomed).state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void shouldListJobsCancelledWhileWaitingAmongRecentJobsAtOnce() {
        putKb("queue");
        Lease stuck = api.requestLease(
                KbId.of("queue"), LeaseRequest.of("backup-script").withTtl(Duration.ofMinutes(1)));
        assertThat(stuck.state()).isEqualTo(LeaseState.GRANTED);
        String elsewhere = note("queue", "erin");
        String here = note("queue", "frank");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        DashboardPage.awaitPage(() -> assertThat(page.waiters("queue")).containsExactly(elsewhere, here));

        api.cancel(elsewhere); // by someone else (kbsync cancel): the holder stays
        DashboardPage.awaitPage(() -> assertThat(page.jobs("queue", "recent")).containsExactly(elsewhere));

        page.typeAdminToken(TOKEN);
        String button = "#kb-queue [data-job='" + here + "'] [data-action=cancel]";
        DashboardPage.awaitPage(
                () -> assertThat(page.script("return document.querySelector(\"" + button + "\") !== null"))
                        .isEqualTo(true));
        page.script("document.querySelector(\"" + button + "\").click()");
        DashboardPage.awaitPage(() -> assertThat(page.jobs("queue", "recent")).containsExactly(here, elsewhere));
        assertThat(page.script("return document.querySelector(\"#kb-queue [data-role=recent][data-job='" + here
                        + "']\").dataset.state"))
                .isEqualTo("cancelled");
    }

    @Test
    void shouldCountAWaitersWaitUpAndItsEstimateDownBetweenQueueChanges() {
        putKb("slow");
        Lease stuck = api.requestLease(
                KbId.of("slow"), LeaseRequest.of("backup-script").withTtl(Duration.ofMinutes(1)));
        assertThat(stuck.state()).isEqualTo(LeaseState.GRANTED);
        String waiting = note("slow", "erin");
        assertThat(api.job(waiting).etaMs()).as("waits for the lease: seconds").isGreaterThan(5000);
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        String line = "return document.querySelector(\"#kb-slow [data-job='" + waiting + "']\").textContent";
        DashboardPage.awaitPage(() -> assertThat(page.script(line)).asString().contains("starts in"));
        Waiter first = Waiter.of((String) page.script(line));

        // Nothing changes in the queue, so no snapshot comes: the page counts on its own.
        DashboardPage.awaitPage(() -> {
            Waiter now = Waiter.of((String) page.script(line));
            assertThat(now.waitedS()).isGreaterThanOrEqualTo(first.waitedS() + 2);
            assertThat(now.etaToS()).isLessThanOrEqualTo(first.etaToS() - 1);
        });
        Job job = api.job(waiting);
        Waiter now = Waiter.of((String) page.script(line));
        assertThat(now.etaToS() * 1000L)
                .as("counted down from the estimate")
                .isLessThanOrEqualTo((Math.max(job.etaMs(), job.etaP90Ms()) + 999) / 1000 * 1000);
    }

    /** A waiter's line as the page shows it: "erin (job) waiting 3.2 s, starts in ~41-56 s". */
    private record Waiter(double waitedS, long etaToS) {
        static Waiter of(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "waiting ([0-9.]+) s, starts in ~(?:<1|([0-9]+)(?:-([0-9]+))?) s")
                    .matcher(text);
            assertThat(m.find()).as(text).isTrue();
            long to = m.group(3) != null
                    ? Long.parseLong(m.group(3))
                    : m.group(2) != null ? Long.parseLong(m.group(2)) : 0;
            return new Waiter(Double.parseDouble(m.group(1)), to);
        }
    }

    @Test
    void shouldNotSayLiveAndShowTheWorkersAsStaleWhileRedisIsDown() {
        putKb("ops");
        api.renewWorker("w-seen", presence(null, 1));
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        String stale = "return document.getElementById('workers').dataset.stale === 'true'";
        String error = "return document.getElementById('workers-error').textContent";
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.script("return document.querySelector('[data-worker=w-seen]') !== null"))
                    .isEqualTo(true);
            assertThat(page.script(stale)).isEqualTo(false);
        });

        redis.process().kill(); // the coordinator answers 503 REDIS_UNAVAILABLE
        try {
            DashboardPage.awaitPage(() -> {
                assertThat(page.status()).doesNotStartWith("live").contains("REDIS_UNAVAILABLE");
                assertThat(page.script(stale)).isEqualTo(true);
                assertThat(page.script(error)).asString().contains("REDIS_UNAVAILABLE");
                assertThat(page.script("return document.querySelector('[data-worker=w-seen]') !== null"))
                        .as("what was last read stays, marked stale")
                        .isEqualTo(true);
            });
        } finally {
            redis.process().restart();
        }
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.script(stale)).isEqualTo(false);
        });
    }

    @Test
    void shouldServeThePageUnderAStrictContentSecurityPolicyAndNotFramed() throws Exception {
        putKb("policy");
        String waiting = note("policy", "olga");
        HttpResponse<String> served = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.port() + "/"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(served.headers().firstValue("Content-Security-Policy"))
                .get()
                .asString()
                .contains("default-src 'none'", "script-src 'sha256-", "style-src 'sha256-", "connect-src 'self'")
                .contains("frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "*");
        assertThat(served.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(served.headers().firstValue("X-Content-Type-Options")).contains("nosniff");

        page.console(); // an earlier test's messages
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        DashboardPage.awaitPage(() -> {
            assertThat(page.holder("policy")).isEqualTo(waiting);
            assertThat(page.script("return document.getElementById('status').textContent"))
                    .isEqualTo("live");
        });
        assertThat(page.script("return getComputedStyle(document.body).backgroundColor"))
                .as("the page's own style applies")
                .isEqualTo("rgb(246, 247, 249)");
        assertThat(page.console()).noneMatch(line -> line.contains("Content Security Policy"));

        page.script("const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
                + " document.head.appendChild(s);");
        assertThat(page.script("return window.injected === undefined"))
                .as("a script injected into the page does not run")
                .isEqualTo(true);
        assertThat(page.console()).anyMatch(line -> line.contains("Content Security Policy"));
    }

    @Test
    void shouldActWithoutATokenOnALoopbackNameWhenAuthIsOff() {
        restart(Map.of("KBSYNC_AUTH_ENABLED", "false", "KBSYNC_TOKENS", ""));
        putKb("local");
        Lease stuck = api.requestLease(
                KbId.of("local"), LeaseRequest.of("backup-script").withTtl(Duration.ofMinutes(1)));
        String next = note("local", "kim");
        page.get("http://localhost:" + coordinator.port() + "/");
        DashboardPage.awaitPage(() -> {
            assertThat(page.waiters("local")).containsExactly(next);
            assertThat(page.script("return document.getElementById('status').textContent"))
                    .isEqualTo("live");
        });

        page.typeAdminToken("auth-is-off"); // any text turns admin actions on; the coordinator asks for none
        forceRelease("local", stuck, next);
    }

    @Test
    void shouldReconnectAfterTheStreamWasAnsweredWithAnError() throws Exception {
        putKb("team");
        String first = note("team", "alice");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        DashboardPage.awaitPage(() -> {
            assertThat(page.holder("team")).isEqualTo(first);
            assertThat(page.status()).isEqualTo("live");
        });

        // A rolling restart behind a proxy: the coordinator goes, the proxy answers 503 to everything (the page's
        // stream too, which a browser's EventSource does not retry by itself), then a coordinator is back.
        int port = coordinator.port();
        api.close();
        coordinator.stop().await();
        CountDownLatch refused = new CountDownLatch(1);
        HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        proxy.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/v1/events")) {
                refused.countDown();
            }
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        proxy.start();
        try {
            assertThat(refused.await(20, TimeUnit.SECONDS))
                    .as("the page asked for its stream again")
                    .isTrue();
            DashboardPage.awaitPage(() -> assertThat(page.status()).startsWith("disconnected"));
        } finally {
            proxy.stop(0);
        }
        restartOn(port);

        String second = note("team", "bob");
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.waiters("team")).containsExactly(second);
        });
    }

    /**
     * A stream the front accepts and ends soon after (the coordinator dropping a slow consumer with {@code event: error}
     * {@code SLOW_CONSUMER}) is opened again later and later, not every second, and the KBs it showed are not read
     * again each time; the page says why the stream ended.
     */
    @Test
    void shouldBackOffFromAStreamThatEndsSoonAfterItOpensAndSayWhy() throws Exception {
        List<String> ids = List.of("alpha", "beta", "gamma");
        ids.forEach(this::putKb);
        try (StreamFront front = StreamFront.before(coordinator.port())) {
            page.get("http://127.0.0.1:" + front.port() + "/?token=" + READER);
            DashboardPage.awaitPage(() -> {
                assertThat(page.status()).isEqualTo("live");
                ids.forEach(kb -> assertThat(front.count("/v1/kbs/" + kb + "/recent-jobs"))
                        .isEqualTo(1));
            });

            front.endStreamsWith("event: error\ndata: {\"error\":{\"code\":\"SLOW_CONSUMER\",\"message\":\"the client"
                    + " did not read its events in time; reconnect\"}}\n\n");
            long streams = front.count("/v1/events");
            TimeUnit.SECONDS.sleep(15);

            assertThat(front.count("/v1/events") - streams)
                    .as("streams opened in 15 s (after 1, 2, 4, 8 s: not every second)")
                    .isBetween(2L, 5L);
            ids.forEach(kb -> assertThat(front.count("/v1/kbs/" + kb + "/recent-jobs"))
                    .as("the KBs it knew are not read again at each new stream")
                    .isEqualTo(1));
            DashboardPage.awaitPage(() ->
                    assertThat(page.status()).contains("SLOW_CONSUMER", "the client did not read its events in time"));
        }
    }

    /** A front that answers 503 with Retry-After is asked again after that time, not every 2 s nor every second. */
    @Test
    void shouldWaitAsLongAsAnAnswersRetryAfterAsks() throws Exception {
        putKb("team");
        try (StreamFront front = StreamFront.before(coordinator.port())) {
            page.get("http://127.0.0.1:" + front.port() + "/?token=" + READER);
            DashboardPage.awaitPage(() -> assertThat(page.status()).isEqualTo("live"));

            front.refuse(503, 12);
            long[] before = {front.count("/v1/events"), front.count("/v1/workers")};
            TimeUnit.SECONDS.sleep(10);

            assertThat(front.count("/v1/workers") - before[1])
                    .as("workers reads in 10 s after a Retry-After: 12")
                    .isLessThanOrEqualTo(1);
            assertThat(front.count("/v1/events") - before[0])
                    .as("streams asked for in 10 s")
                    .isLessThanOrEqualTo(1);
            assertThat(page.status()).contains("MAINTENANCE");
        }
    }

    /** A token refused (401) stops the workers reads with a clear message, until another token is given. */
    @Test
    void shouldStopReadingWithARefusedTokenAndSaySo() throws Exception {
        putKb("team");
        String first = note("team", "alice");
        try (StreamFront front = StreamFront.before(coordinator.port())) {
            page.get("http://127.0.0.1:" + front.port() + "/?token=revoked-token-000000000001");
            DashboardPage.awaitPage(
                    () -> assertThat(page.script("return document.getElementById('workers-error').textContent"))
                            .asString()
                            .contains("UNAUTHENTICATED", "type another"));
            long workers = front.count("/v1/workers");
            TimeUnit.SECONDS.sleep(6);
            assertThat(front.count("/v1/workers") - workers)
                    .as("no workers reads while the token is refused")
                    .isZero();

            page.typeAdminToken(TOKEN);
            DashboardPage.awaitPage(() -> {
                assertThat(page.status()).isEqualTo("live");
                assertThat(page.holder("team")).isEqualTo(first);
                assertThat(page.script("return document.getElementById('workers').dataset.stale"))
                        .isEqualTo("false");
            });
        }
    }

    /**
     * A stream that falls silent, its keep-alives too (a front that keeps the connection and passes nothing more), is
     * not shown as live however well the other reads answer: the page gives up on it after 2.5 keep-alive periods (the
     * period the coordinator says it keeps, 2 s here) and opens another; keep-alives alone keep it live.
     */
    @Test
    void shouldLeaveLiveWhenTheStreamFallsSilentAndOpenAnother() throws Exception {
        restart(Map.of("KBSYNC_HTTP_SSE_KEEP_ALIVE_SECONDS", "2"));
        putKb("team");
        String first = note("team", "alice");
        try (StreamFront front = StreamFront.before(coordinator.port())) {
            page.get("http://127.0.0.1:" + front.port() + "/?token=" + READER);
            DashboardPage.awaitPage(() -> {
                assertThat(page.status()).isEqualTo("live");
                assertThat(page.holder("team")).isEqualTo(first);
            });
            TimeUnit.SECONDS.sleep(7); // no event, keep-alives only
            assertThat(page.status()).isEqualTo("live");
            assertThat(front.count("/v1/events")).as("the stream kept").isEqualTo(1);

            front.freezeStreams();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(page.status()).startsWith("reconnecting"));
            assertThat(Duration.ofNanos(System.nanoTime() - front.streamBytesAt()))
                    .as("not before 2.5 keep-alive periods of silence")
                    .isGreaterThan(Duration.ofMillis(4500));

            front.thawStreams();
            String second = note("team", "bob");
            DashboardPage.awaitPage(() -> {
                assertThat(page.status()).isEqualTo("live");
                assertThat(page.waiters("team")).containsExactly(second);
            });
        }
    }

    /**
     * {@code #token=} in the address: the fragment is never sent, so no request line (no access log) carries the
     * token; the page reads with it, takes it out of the address bar, and admin actions work with a typed admin token.
     */
    @Test
    void shouldReadWithATokenInTheAddressFragmentThatNoRequestCarries() {
        putKb("ops");
        Lease stuck = api.requestLease(
                KbId.of("ops"), LeaseRequest.of("backup-script").withTtl(Duration.ofMinutes(1)));
        String next = note("ops", "dave");
        try (StreamFront front = StreamFront.before(coordinator.port())) {
            String home = "http://127.0.0.1:" + front.port() + "/";
            page.get(home + "#token=" + READER);
            DashboardPage.awaitPage(() -> {
                assertThat(page.status()).isEqualTo("live");
                assertThat(page.waiters("ops")).containsExactly(next);
            });
            assertThat(page.script("return location.href")).isEqualTo(home);

            page.typeAdminToken(TOKEN);
            forceRelease("ops", stuck, next);
            page.refresh(); // kept for this tab
            DashboardPage.awaitPage(() -> assertThat(page.status()).isEqualTo("live"));

            assertThat(front.asked()).as("the stream was read").anyMatch(line -> line.startsWith("GET /v1/events"));
            assertThat(front.asked())
                    .as("the request lines an access log records")
                    .noneMatch(line -> line.contains(READER) || line.contains(TOKEN) || line.contains("token"));
        }
    }

    /**
     * A screen reader hears the stream's state and the actions' outcomes when they change, and can name the token field
     * (its placeholder disappears once typed into).
     */
    @Test
    void shouldAnnounceItsStateAndOutcomesAndNameItsTokenField() {
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + TOKEN);
        DashboardPage.awaitPage(() -> assertThat(page.status()).isEqualTo("live"));

        assertThat(page.live("#status")).isEqualTo("polite");
        assertThat(page.live("#message")).isEqualTo("polite");
        assertThat(page.accessible("#admin-token")).containsExactly("textbox", "admin token");
    }

    @Test
    void shouldGoLiveWithAnAdminTokenTypedIntoAPageOpenedWithoutAToken() {
        putKb("team");
        String first = note("team", "alice");
        page.get("http://127.0.0.1:" + coordinator.port() + "/");
        DashboardPage.awaitPage(() -> assertThat(page.status()).startsWith("disconnected"));

        page.typeAdminToken(TOKEN); // the typed token reads too: the stream starts again with it
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.holder("team")).isEqualTo(first);
        });
    }

    @Test
    void shouldNeverPutATokenIntoAUrlItAsksFor() {
        putKb("team");
        String first = note("team", "alice");
        page.requests(); // an earlier test's
        page.get("http://127.0.0.1:" + coordinator.port() + "/");
        page.typeAdminToken(TOKEN); // reads too: the page was opened without ?token=
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.holder("team")).isEqualTo(first);
        });
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        DashboardPage.awaitPage(() -> assertThat(page.holder("team")).isEqualTo(first));

        List<String> asked = page.requests();
        assertThat(asked).as("the stream was read").anyMatch(url -> url.contains("/v1/events"));
        assertThat(asked)
                .as("an access log (a proxy's too) records URLs: the tokens go as Authorization: Bearer only")
                .filteredOn(url -> url.contains("/v1/"))
                .noneMatch(url -> url.contains(TOKEN) || url.contains(READER));
    }

    @Test
    void shouldReplaceARefusedTokenWithOneTypedInAndForgetBoth() {
        putKb("team");
        String first = note("team", "alice");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=revoked-token-000000000001");
        DashboardPage.awaitPage(() -> assertThat(page.status()).startsWith("disconnected"));

        page.typeAdminToken(TOKEN); // replaces the token the stream refused
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.holder("team")).isEqualTo(first);
        });
        page.refresh(); // the refused one is not back
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.holder("team")).isEqualTo(first);
        });

        page.script("document.getElementById('admin-forget').click()");
        DashboardPage.awaitPage(() -> assertThat(page.status()).startsWith("disconnected"));
        assertThat(page.script("return sessionStorage.length"))
                .as("forget leaves no token in the tab")
                .isEqualTo(0L);
        assertThat(page.script("return document.getElementById('admin-state').textContent"))
                .isEqualTo("read only");
    }

    @Test
    void shouldTakeTheTokenOutOfTheAddressBarAndKeepItForThisTab() {
        putKb("team");
        String first = note("team", "alice");
        String home = "http://127.0.0.1:" + coordinator.port() + "/";
        page.get(home + "?token=" + READER);
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.holder("team")).isEqualTo(first);
        });
        assertThat(page.script("return location.href"))
                .as("the token stays out of the history and bookmarks")
                .isEqualTo(home);

        page.refresh(); // the tab's sessionStorage keeps it
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.holder("team")).isEqualTo(first);
        });
    }

    @Test
    void shouldDropAKbRemovedWhileThePageWasDisconnected() {
        putKb("kept");
        putKb("gone");
        String first = note("kept", "alice");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        DashboardPage.awaitPage(() -> {
            assertThat(page.holder("kept")).isEqualTo(first);
            assertThat(page.holder("gone")).as("a free KB's card").isNull();
        });

        // The page's coordinator goes; the KB is removed through another one, whose kb-removed the page never hears.
        int port = coordinator.port();
        api.close();
        coordinator.stop().await();
        Coordinator other = Coordinator.start(vertx, config(Map.of())).await();
        KbsyncClient otherApi =
                KbsyncClient.create(vertx, ClientOptions.of(URI.create("http://127.0.0.1:" + other.port()), TOKEN));
        try {
            otherApi.deleteKb(KbId.of("gone"));
        } finally {
            otherApi.close();
            other.stop().await();
        }
        restartOn(port);

        String second = note("kept", "bob");
        DashboardPage.awaitPage(() -> {
            assertThat(page.status()).isEqualTo("live");
            assertThat(page.waiters("kept")).containsExactly(second);
            assertThat(page.holder("gone")).as("the removed KB's card").isEqualTo("missing");
        });
    }

    @Test
    void shouldLandAPressOnAButtonOfAKbWhoseQueueMoves() throws Exception {
        putKb("busy");
        Lease stuck = api.requestLease(
                KbId.of("busy"), LeaseRequest.of("backup-script").withTtl(Duration.ofMinutes(1)));
        assertThat(stuck.state()).isEqualTo(LeaseState.GRANTED);
        String doomed = note("busy", "erin");
        page.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        page.typeAdminToken(TOKEN);
        String button = "#kb-busy [data-job='" + doomed + "'] [data-action=cancel]";
        DashboardPage.awaitPage(
                () -> assertThat(page.script("return document.querySelector(\"" + button + "\") !== null"))
                        .isEqualTo(true));

        // Notes keep joining the queue behind it while the button is pressed, as a person presses it: 300 ms.
        AtomicBoolean moving = new AtomicBoolean(true);
        Thread joining = new Thread(() -> {
            for (int i = 0; moving.get() && i < 60; i++) {
                note("busy", "user" + i);
                try {
                    Thread.sleep(40);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        joining.start();
        try {
            DashboardPage.awaitPage(() -> assertThat(page.waiters("busy")).hasSizeGreaterThan(3));
            page.press(button, Duration.ofMillis(300));
        } finally {
            moving.set(false);
            joining.join();
        }

        DashboardPage.awaitPage(() -> assertThat(api.job(doomed).state()).isEqualTo(JobState.CANCELLED));
        DashboardPage.awaitPage(() -> assertThat(page.waiters("busy")).doesNotContain(doomed));
    }

    /** Force-releases {@code kb} through the page: {@code stuck} ends, {@code next} holds the KB. */
    private void forceRelease(String kb, Lease stuck, String next) {
        page.forceRelease(kb);
        DashboardPage.awaitPage(() -> {
            assertThat(page.script("return document.getElementById('message').textContent"))
                    .isEqualTo("released " + kb);
            assertThat(page.holder(kb)).isEqualTo(next);
        });
        assertThat(api.lease(stuck.id()).state()).isEqualTo(LeaseState.RELEASED);
    }

    /** This test's coordinator stopped and another started on the same Redis, with {@code env} over the defaults. */
    private void restart(Map<String, String> env) {
        api.close();
        coordinator.stop().await();
        coordinator = Coordinator.start(vertx, config(env)).await();
        api = KbsyncClient.create(vertx, ClientOptions.of(URI.create("http://127.0.0.1:" + coordinator.port()), TOKEN));
    }

    /** This test's coordinator, stopped already, started again on {@code port} (the page's origin) on the same Redis. */
    private void restartOn(int port) {
        coordinator = Coordinator.start(vertx, config(Map.of("KBSYNC_HTTP_PORT", String.valueOf(port))))
                .await();
        api = KbsyncClient.create(vertx, ClientOptions.of(URI.create("http://127.0.0.1:" + port), TOKEN));
    }

    private static WorkerPresence presence(Assignment running, int idle) {
        Instant now = Instant.now();
        return new WorkerPresence(
                "srv-1",
                "0.1.0",
                1,
                idle,
                false,
                running == null
                        ? List.of()
                        : List.of(new WorkerPresence.RunningJob(
                                1, running.kb().id(), running.job().id(), now)),
                running == null ? List.of(new WorkerPresence.Checkout(KbId.of("ops"), "c0ffee1", now)) : List.of(),
                now.minusSeconds(60),
                EnumSet.of(JobKind.NOTE));
    }

    /** A few KBs with holders and waiters, recent jobs, workers, admin actions on: for the screenshot. */
    private void showRealUse() throws Exception {
        Assignment third = poll("w1");
        api.reportResult(
                third.job().id(),
                new JobOutcome.Failed(third.lease().id(), new JobError("PUSH_REJECTED", "gave up after 5"), 5));
        putKb("handbook");
        putKb("research");
        for (String user : List.of("dave", "erin", "frank", "grace")) {
            note("handbook", user);
        }
        note("research", "heidi");
        note("research", "ivan");
        note("team", "judy");
        api.renewWorker("w2", presence(poll("w2"), 0));
        api.renewWorker("w3", presence(poll("w3"), 0));
        api.renewWorker("w1", presence(null, 1));
        DashboardPage.awaitPage(() -> {
            assertThat(page.waiters("handbook")).hasSize(3);
            assertThat(page.waiters("research")).hasSize(1);
            assertThat(page.script("return document.querySelectorAll('[data-role=worker]').length"))
                    .isEqualTo(3L);
        });
        page.typeAdminToken(TOKEN);
        DashboardPage.awaitPage(() -> assertThat(page.jobs("team", "failure")).hasSize(1));
    }

    private void putKb(String kb) {
        api.registerKb(new KbConfig(KbId.of(kb), "/srv/git/" + kb + ".git", "main"));
    }

    /** Submits a note and returns the job id. */
    private String note(String kb, String user) {
        return api.submitNote(KbId.of(kb), NoteRequest.of(user, "note from " + user))
                .id();
    }

    /** The CLI's rendering (Progress.band), which the dashboard's script repeats. */
    private static String band(long etaMs, long p90Ms) {
        long high = Math.max(etaMs, p90Ms);
        if (high < 1000) {
            return "<1 s";
        }
        long from = Math.round(etaMs / 1000.0);
        long to = Math.max(from, (high + 999) / 1000);
        return (from == to ? String.valueOf(to) : from + "-" + to) + " s";
    }

    private Assignment poll(String worker) {
        return api.poll(worker, Duration.ofSeconds(5)).orElseThrow();
    }

    private void done(Assignment assignment) {
        api.reportResult(
                assignment.job().id(),
                new JobOutcome.Done(assignment.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
    }

    private void done(Assignment assignment, String commit, String commitUrl) {
        api.reportResult(
                assignment.job().id(), new JobOutcome.Done(assignment.lease().id(), commit, commitUrl, List.of(), 0));
    }

    private static CoordinatorConfig config(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of(
                "KBSYNC_HTTP_PORT",
                "0",
                "KBSYNC_REDIS_ADDRESS",
                redis.uri(),
                "KBSYNC_TOKENS",
                "admin:" + TOKEN + ",client:" + READER,
                "KBSYNC_LEASE_TTL_SECONDS",
                "3"));
        all.putAll(env);
        return CoordinatorConfig.load(Optional.empty(), all);
    }
}
