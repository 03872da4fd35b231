package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.ExternalTools;
import dev.gpubox.local.sim.Fault;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The phone panel in a real browser (headless Chromium at a phone's viewport) against local mode: the
 * simulator behind the same handlers, every hop real HTTP. Screenshots go to
 * {@code target/panel-screenshots}, or to the folder in {@code -Dpanel.screenshots=...} (../docs refreshes
 * the README's).
 */
class PanelBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final ZoneId PHONE_ZONE = ZoneId.of("America/Los_Angeles");
    static final Path SCREENSHOTS = Path.of(System.getProperty("panel.screenshots", "target/panel-screenshots"));

    private WireFixture local;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private Path profile;

    @BeforeEach
    void openThePanel() throws IOException {
        ExternalTools.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium is not installed (" + CHROMIUM + " and " + CHROMEDRIVER + "); it is needed for the"
                        + " phone panel's browser test. Install: apt-get install -y chromium chromium-driver");
        local = new WireFixture(Duration.ofSeconds(2), Duration.ofSeconds(2));
        profile = Files.createTempDirectory("gpubox-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--lang=en-US", "--user-data-dir=" + profile);
        // An iPhone-sized screen at twice the density: what a phone shows, and a sharp screenshot.
        options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics",
                Map.of("width", 390, "height", 844, "pixelRatio", 2.0, "touch", true)));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                // The phone is 16 hours away from the stack's zone: the page must still show and send the
                // stack's times (the nightly stop, "Keep on until"), as the API's messages do.
                .withEnvironment(Map.of("TZ", PHONE_ZONE.getId())).build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        browser.get(local.api.url() + "/");
    }

    @AfterEach
    void close() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (local != null) {
            local.close(); // closing the local API a second time is harmless
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void fromTheKeyPromptThroughStartSnoozeAndStopWithEveryMessageShown() throws Exception {
        // Without a key the page shows only the prompt: it carries nothing else.
        visible("key-form");
        assertFalse(el("panel").isDisplayed());
        screenshot("panel-key-prompt");

        enterKey("not-the-key");
        visible("key-form");
        assertEquals("The API refused this key. Enter it again (the stack output ApiKeyValueCommand prints it).",
                text("error"));

        enterKey(WireFixture.KEY);
        awaitText("state", "stopped");
        assertFalse(el("error").isDisplayed());
        assertTrue(text("address").endsWith("(Elastic IP)"), text("address"));
        assertFalse(el("stop").isEnabled(), "Stop is off while stopped");

        // An EC2 fault reaches the phone as the API's own message, word for word.
        local.sim.faults().inject("StartInstances", Fault.VCPU_LIMIT, 2);
        String apiMessage = local.call("POST", "/start").field("message");
        el("start").click();
        awaitText("error", apiMessage);
        assertEquals("stopped", text("state"));

        // Start: pending, then running by itself (the page refreshes while pending).
        el("start").click();
        awaitText("state", "pending");
        assertFalse(el("error").isDisplayed(), "a success clears the last error");
        screenshot("panel-starting");
        awaitText("state", "running");
        ZoneId stackZone = local.box.policy().zone();
        assertFalse(stackZone.getRules().getOffset(Instant.now()).equals(PHONE_ZONE.getRules().getOffset(Instant.now())),
                "the test needs the phone in another zone than the stack");
        Instant stop = Instant.parse(local.call("GET", "/status").json().path("nextAutomaticStop").asText());
        assertEquals(stackClock(stop) + " — the nightly auto-stop", text("next-stop"));
        assertEquals("Times are in " + stackZone.getId() + " (the stack's time zone).", text("zone-note"));
        assertTrue(el("zone-note").isDisplayed(), "the zone shows beside the Keep-on-until input");
        assertTrue(text("cost").contains("so far"), text("cost"));

        // Keep on until two hours from now, in the stack's zone (what until=HH:MM means).
        String until = ZonedDateTime.now(local.box.policy().zone()).plusHours(2)
                .format(DateTimeFormatter.ofPattern("HH:mm"));
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1]", el("snooze-until"), until);
        el("snooze").click();
        wait.until(d -> text("next-stop").endsWith("kept on (snoozed) until then"));
        assertTrue(text("message").contains(until), text("message"));
        Instant snoozedUntil = Instant.parse(local.call("GET", "/status").json().path("snoozedUntil").asText());
        assertEquals(until, snoozedUntil.atZone(stackZone).format(DateTimeFormatter.ofPattern("HH:mm")),
                "HH:MM typed on the phone is that time in the stack's zone");
        assertEquals(stackClock(snoozedUntil) + " — kept on (snoozed) until then", text("next-stop"));
        screenshot("panel-running-snoozed");

        el("cancel-snooze").click();
        wait.until(d -> text("next-stop").endsWith("the nightly auto-stop"));
        assertTrue(local.call("GET", "/status").json().path("snoozedUntil").isNull(), "cancelled at the API");

        el("stop").click();
        awaitText("state", "stopping");
        assertTrue(text("message").startsWith("GPU box is stopping"), text("message"));
        awaitText("state", "stopped");

        // Installable to the home screen, by Chromium's own check (manifest, icon, service worker).
        assertEquals(Map.of("installabilityErrors", java.util.List.of()),
                browser.executeCdpCommand("Page.getInstallabilityErrors", Map.of()));

        // The API goes away: the page says so and keeps the last state it knew.
        Object cached = ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[0];"
                + " navigator.serviceWorker.ready.then(() => caches.match(location.pathname)).then(r => done(!!r))");
        assertEquals(Boolean.TRUE, cached, "the service worker keeps a copy of the page");
        local.api.close();
        el("refresh").click();
        visible("offline");
        assertTrue(text("offline").startsWith("No connection to the gpubox API — showing the state as of "),
                text("offline"));
        assertEquals("stopped", text("state"));

        // Offline-first: opened again with no connection at all, the page still comes up and says so.
        browser.navigate().refresh();
        visible("offline");
        assertEquals("stopped", text("state"));
        assertFalse(el("key-form").isDisplayed(), "the key stays on the device");
        screenshot("panel-no-connection");
    }

    /** How the panel shows a time: HH:MM in the stack's zone and its name, with the weekday unless today there. */
    private String stackClock(Instant at) {
        ZoneId zone = local.box.policy().zone();
        ZonedDateTime there = at.atZone(zone);
        String day = there.toLocalDate().equals(ZonedDateTime.now(zone).toLocalDate()) ? ""
                : there.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US) + " ";
        return day + there.format(DateTimeFormatter.ofPattern("HH:mm")) + " " + zone.getId();
    }

    private void enterKey(String key) {
        WebElement input = el("key");
        input.clear();
        input.sendKeys(key);
        el("save-key").click();
        wait.until(d -> el("panel").isDisplayed() || el("error").isDisplayed());
    }

    private WebElement el(String id) {
        return browser.findElement(By.id(id));
    }

    /** The element's text as the page set it (CSS capitalises the state only on screen). */
    private String text(String id) {
        return el(id).getDomProperty("textContent");
    }

    private void visible(String id) {
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
    }

    private void awaitText(String id, String expected) {
        try {
            wait.until(d -> text(id).equals(expected));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("#" + id + " never read '" + expected + "'; it reads '" + text(id)
                    + "'; error: '" + text("error") + "'", e);
        }
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }
}
