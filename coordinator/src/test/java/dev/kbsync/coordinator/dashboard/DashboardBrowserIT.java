package dev.kbsync.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium against a real coordinator on Redis: jobs appear as waiters, move up to
 * holder when a worker polls, and leave when their result is reported. Leaves {@code target/dashboard.png} (the
 * source of {@code docs/dashboard.png}).
 */
class DashboardBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "admin-dashboard-token-0001";

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
        done(next);
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

    /** A few KBs with holders and waiters, for the screenshot. */
    private void showRealUse() throws Exception {
        putKb("handbook");
        putKb("research");
        for (String user : List.of("dave", "erin", "frank", "grace")) {
            note("handbook", user);
        }
        note("research", "heidi");
        note("research", "ivan");
        note("team", "judy");
        poll("w2");
        poll("w3");
        awaitPage(() -> {
            assertThat(waiters("handbook")).hasSize(3);
            assertThat(waiters("research")).hasSize(1);
        });
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
                        "admin:" + TOKEN));
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
        driver.manage().window().setSize(new Dimension(1200, 800));
        return driver;
    }
}
