package dev.kbsync.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
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
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium against a real coordinator on Redis: jobs appear as waiters, move up to
 * holder when a worker polls, and leave when their result is reported; finished jobs and failures appear with their
 * commit links and error codes; workers appear, busy or idle, then gone; an admin token typed in turns on
 * force-release. Leaves {@code target/dashboard.png} (the source of {@code docs/dashboard.png}).
 */
class DashboardBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "admin-dashboard-token-0001";
    private static final String READER = "client-dashboard-token-01";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final Vertx vertx = Vertx.vertx();
    private Coordinator coordinator;
    private ChromeDriver browser;
    private KbsyncClient api;

    @BeforeEach
    void start(@TempDir Path profile) {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs /usr/bin/chromium and /usr/bin/chromedriver (Debian packages chromium, chromium-driver)");
        RespClient.once(redis.process().port(), Duration.ofSeconds(5), "FLUSHALL"); // each test on an empty Redis
        coordinator = Coordinator.start(vertx, config()).await();
        api = KbsyncClient.create(vertx, ClientOptions.of(URI.create("http://127.0.0.1:" + coordinator.port()), TOKEN));
        browser = chromium(profile);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
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
        browser.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + TOKEN);

        // The engine grants the KB's lock to the head job at once; it waits there for a worker.
        awaitPage(() -> {
            assertThat(holder("team")).isEqualTo(first);
            assertThat(waiters("team")).containsExactly(second, third);
        });
        assertThat(script("return document.getElementById('status').textContent"))
                .isEqualTo("live");

        Assignment assignment = poll("w1");
        assertThat(assignment.job().id()).isEqualTo(first);
        done(assignment);
        awaitPage(() -> {
            assertThat(holder("team")).isEqualTo(second);
            assertThat(waiters("team")).containsExactly(third);
        });

        Assignment next = poll("w1");
        assertThat(next.job().id()).isEqualTo(second);
        done(next, "9d1e0c4a", "https://github.com/acme/team/commit/9d1e0c4a");
        awaitPage(() -> {
            assertThat(holder("team")).isEqualTo(third);
            assertThat(waiters("team")).isEmpty();
            assertThat(script("return document.querySelector('#kb-team').textContent"))
                    .asString()
                    .doesNotContain(first, second);
        });

        showRealUse();
        Files.write(Path.of("target/dashboard.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void shouldShowRecentJobsWithCommitLinksAndFailuresWithTheirCodes() {
        putKb("docs");
        String landed = note("docs", "alice");
        String broken = note("docs", "bob");
        browser.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        done(poll("w1"), "9d1e0c4a", "https://github.com/acme/docs/commit/9d1e0c4a");
        Assignment second = poll("w1");
        api.reportResult(
                broken,
                new JobOutcome.Failed(second.lease().id(), new JobError("PUSH_REJECTED", "gave up after 5"), 5));

        awaitPage(() -> {
            assertThat(recent("docs", "recent")).containsExactly(broken, landed);
            assertThat(recent("docs", "failure")).containsExactly(broken);
        });
        String item = "#kb-docs [data-role=recent][data-job='" + landed + "']";
        assertThat(script("return document.querySelector(\"" + item + "\").dataset.state"))
                .isEqualTo("done");
        assertThat(script("return document.querySelector(\"" + item + " a\").href"))
                .isEqualTo("https://github.com/acme/docs/commit/9d1e0c4a");
        assertThat(script("return document.querySelector(\"" + item + " a\").textContent"))
                .isEqualTo("9d1e0c4");
        assertThat(script("return document.querySelector(\"#kb-docs [data-role=failure] [data-role=error-code]\")"
                        + ".textContent"))
                .isEqualTo("PUSH_REJECTED");
    }

    @Test
    void shouldShowWorkersRunningThenIdleThenGone() {
        putKb("ops");
        String job = note("ops", "carol");
        browser.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        Assignment running = poll("w-busy");
        api.renewWorker("w-busy", presence(running, 0));

        awaitPage(() -> {
            assertThat(script("return document.querySelector('[data-worker=w-busy]').dataset.state"))
                    .isEqualTo("up");
            assertThat(script("return [...document.querySelectorAll('[data-worker=w-busy] [data-role=worker-job]')]"
                            + ".map(e => e.dataset.job)"))
                    .isEqualTo(List.of(job));
        });
        done(running, "c0ffee1", null);
        api.renewWorker("w-busy", presence(null, 1));
        awaitPage(() -> assertThat(script("return document.querySelector('[data-worker=w-busy]').textContent"))
                .asString()
                .contains("1 of 1 slots idle")
                .doesNotContain(job));
        // Nothing renews it any more: gone within one lease TTL (3 s here).
        awaitPage(() -> assertThat(script("return document.querySelector('[data-worker=w-busy]').dataset.state"))
                .isEqualTo("gone"));
    }

    @Test
    void shouldForceReleaseAKbOnlyWithTheAdminTokenTypedIn() {
        putKb("ops");
        Lease stuck = api.requestLease(
                KbId.of("ops"), LeaseRequest.of("backup-script").withTtl(Duration.ofMinutes(1)));
        assertThat(stuck.state()).isEqualTo(LeaseState.GRANTED);
        String next = note("ops", "dave");
        browser.get("http://127.0.0.1:" + coordinator.port() + "/?token=" + READER);
        awaitPage(() -> assertThat(waiters("ops")).containsExactly(next));
        assertThat(script("return document.querySelectorAll('[data-action=force-release]').length"))
                .as("read only without an admin token")
                .isEqualTo(0L);

        typeAdminToken(READER);
        clickForceRelease("ops");
        awaitPage(() -> assertThat(script("return document.getElementById('message').textContent"))
                .asString()
                .contains("FORBIDDEN"));
        assertThat(waiters("ops")).containsExactly(next);

        script("document.getElementById('admin-forget').click()");
        typeAdminToken(TOKEN);
        browser.navigate().refresh(); // kept for this tab (sessionStorage)
        awaitPage(() -> assertThat(script("return document.getElementById('admin-state').textContent"))
                .isEqualTo("admin actions on"));
        clickForceRelease("ops");
        awaitPage(() -> {
            assertThat(script("return document.getElementById('message').textContent"))
                    .isEqualTo("released ops");
            assertThat(holder("ops")).isEqualTo(next);
        });
        assertThat(api.lease(stuck.id()).state()).isEqualTo(LeaseState.RELEASED);
    }

    private void typeAdminToken(String token) {
        awaitPage(() -> assertThat(script("return document.getElementById('admin-token') !== null"))
                .isEqualTo(true));
        browser.findElement(By.id("admin-token")).sendKeys(token);
        browser.findElement(By.id("admin-save")).click();
    }

    /** The first click arms the button, the second (on the re-rendered card) confirms. */
    private void clickForceRelease(String kb) {
        String button = "#kb-" + kb + " [data-action=force-release]";
        awaitPage(() -> assertThat(script("return document.querySelector('" + button + "') !== null"))
                .isEqualTo(true));
        script("document.querySelector('" + button + "').click()");
        awaitPage(() -> assertThat(script("return document.querySelector('" + button + "').textContent"))
                .isEqualTo("confirm force-release"));
        script("document.querySelector('" + button + "').click()");
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
                now.minusSeconds(60));
    }

    @SuppressWarnings("unchecked")
    private List<String> recent(String kb, String role) {
        return (List<String>) script("return [...document.querySelectorAll('#kb-" + kb + " [data-role=" + role
                + "]')].map(e => e.dataset.job);");
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
        awaitPage(() -> {
            assertThat(waiters("handbook")).hasSize(3);
            assertThat(waiters("research")).hasSize(1);
            assertThat(script("return document.querySelectorAll('[data-role=worker]').length"))
                    .isEqualTo(3L);
        });
        typeAdminToken(TOKEN);
        awaitPage(() -> assertThat(recent("team", "failure")).hasSize(1));
    }

    private void putKb(String kb) {
        api.registerKb(new KbConfig(KbId.of(kb), "/srv/git/" + kb + ".git", "main"));
    }

    /** Submits a note and returns the job id. */
    private String note(String kb, String user) {
        return api.submitNote(KbId.of(kb), NoteRequest.of(user, "note from " + user))
                .id();
    }

    private Assignment poll(String worker) {
        return api.poll(worker, Duration.ofSeconds(5)).orElseThrow();
    }

    private void done(Assignment assignment) {
        api.reportResult(
                assignment.job().id(), new JobOutcome.Done(assignment.lease().id(), "c0ffee", List.of(), 0));
    }

    private void done(Assignment assignment, String commit, String commitUrl) {
        api.reportResult(
                assignment.job().id(), new JobOutcome.Done(assignment.lease().id(), commit, commitUrl, List.of(), 0));
    }

    private String holder(String kb) {
        return (String) script("const h = document.querySelector('#kb-" + kb + " [data-role=holder]');"
                + " return h ? (h.dataset.job || null) : 'missing';");
    }

    @SuppressWarnings("unchecked")
    private List<String> waiters(String kb) {
        return (List<String>) script(
                "return [...document.querySelectorAll('#kb-" + kb + " [data-role=waiter]')].map(e => e.dataset.job);");
    }

    private Object script(String js) {
        return ((JavascriptExecutor) browser).executeScript(js);
    }

    private static void awaitPage(ThrowingRunnable assertion) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(JavascriptException.class) // an element not rendered yet
                .untilAsserted(assertion);
    }

    private static CoordinatorConfig config() {
        return CoordinatorConfig.load(
                Optional.empty(),
                Map.of(
                        "KBSYNC_HTTP_PORT",
                        "0",
                        "KBSYNC_REDIS_ADDRESS",
                        redis.uri(),
                        "KBSYNC_TOKENS",
                        "admin:" + TOKEN + ",client:" + READER,
                        "KBSYNC_LEASE_TTL_SECONDS",
                        "3"));
    }

    private static ChromeDriver chromium(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File(CHROMIUM.toString()));
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + profile);
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 1000));
        return driver;
    }
}
