package dev.kbsync.coordinator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ThrowingRunnable;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/** The dashboard in a headless Chromium, read through its stable hooks (docs/api.md, "Operations"). */
final class DashboardPage implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriver browser;

    private DashboardPage(ChromeDriver browser) {
        this.browser = browser;
    }

    /** Whether Chromium and its driver are installed (Debian packages chromium, chromium-driver). */
    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** A browser with its own profile directory. */
    static DashboardPage open(Path profile) {
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
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL", LogType.PERFORMANCE, "ALL"));
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 1000));
        return new DashboardPage(driver);
    }

    void get(String url) {
        browser.get(url);
    }

    void refresh() {
        browser.navigate().refresh();
    }

    Object script(String js) {
        return browser.executeScript(js);
    }

    /** Retries {@code assertion} until it holds (20 s at most); elements not rendered yet count as not yet. */
    static void awaitPage(ThrowingRunnable assertion) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(JavascriptException.class)
                .untilAsserted(assertion);
    }

    /** The stream's state as the page shows it: {@code live}, {@code disconnected, ...}. */
    String status() {
        return (String) script("return document.getElementById('status').textContent");
    }

    /** How assistive technology names and classes the element {@code css} selects (the browser's computed values). */
    List<String> accessible(String css) {
        var element = browser.findElement(org.openqa.selenium.By.cssSelector(css));
        return List.of(element.getAriaRole(), element.getAccessibleName());
    }

    /** Whether the element {@code css} selects announces changes of its text ({@code aria-live}, or a live role). */
    String live(String css) {
        return (String) script("const e = document.querySelector('" + css + "');"
                + " return e.getAttribute('aria-live') || ({status: 'polite', alert: 'assertive'})[e.getAttribute('role')]"
                + " || 'off';");
    }

    /** The holder's job id, null for a raw lease or a free KB, {@code missing} without a card. */
    String holder(String kb) {
        return (String) script("const h = document.querySelector('#kb-" + kb + " [data-role=holder]');"
                + " return h ? (h.dataset.job || null) : 'missing';");
    }

    List<String> waiters(String kb) {
        return jobs(kb, "waiter");
    }

    /** The job ids of a KB card's entries with {@code role} ({@code waiter}, {@code recent}, {@code failure}). */
    @SuppressWarnings("unchecked")
    List<String> jobs(String kb, String role) {
        return (List<String>) script("return [...document.querySelectorAll('#kb-" + kb + " [data-role=" + role
                + "]')].map(e => e.dataset.job);");
    }

    void typeAdminToken(String token) {
        browser.findElement(By.id("admin-token")).sendKeys(token);
        browser.findElement(By.id("admin-save")).click();
    }

    /** The first click arms the button, the second (on the re-rendered card) confirms. */
    void forceRelease(String kb) {
        String button = "#kb-" + kb + " [data-action=force-release]";
        awaitPage(() -> assertThat(script("return document.querySelector('" + button + "') !== null"))
                .isEqualTo(true));
        script("document.querySelector('" + button + "').click()");
        awaitPage(() -> assertThat(script("return document.querySelector('" + button + "').textContent"))
                .isEqualTo("confirm force-release"));
        script("document.querySelector('" + button + "').click()");
    }

    /**
     * Presses the element at {@code selector} as a person does: the pointer down on its middle, held for {@code hold},
     * then up at the same place.
     */
    void press(String selector, Duration hold) {
        @SuppressWarnings("unchecked")
        Map<String, Object> at = (Map<String, Object>) script("const r = document.querySelector(\"" + selector
                + "\").getBoundingClientRect(); return {x: Math.round(r.left + r.width / 2), y: Math.round(r.top"
                + " + r.height / 2)};");
        new Actions(browser)
                .moveToLocation(((Number) at.get("x")).intValue(), ((Number) at.get("y")).intValue())
                .clickAndHold()
                .pause(hold)
                .release()
                .perform();
    }

    /** The console's messages since the last call (Chromium reports a Content-Security-Policy violation there). */
    List<String> console() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .toList();
    }

    /** The URLs the page asked for since the last call (Chromium's network log), the page's own navigation included. */
    List<String> requests() {
        return browser.manage().logs().get(LogType.PERFORMANCE).getAll().stream()
                .map(entry -> new JsonObject(entry.getMessage()).getJsonObject("message"))
                .filter(m -> "Network.requestWillBeSent".equals(m.getString("method")))
                .map(m -> m.getJsonObject("params").getJsonObject("request").getString("url"))
                .toList();
    }

    void screenshot(Path file) throws IOException {
        Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        browser.quit();
    }
}
