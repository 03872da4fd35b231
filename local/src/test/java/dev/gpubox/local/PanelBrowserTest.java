package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.ExternalTools;
import dev.gpubox.sim.Fault;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        local = new WireFixture(Duration.ofSeconds(2), Duration.ofSeconds(2), 50); // with the month's ledger
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

    /** Issue 17 point 2: the panel's "Allow SSH from this network" is POST /ssh for the phone's own address. */
    @Test
    void allowSshFromThisNetworkOpensPortTwentyTwoToThisAddress() throws Exception {
        enterKey(WireFixture.KEY);
        awaitText("state", "stopped");
        assertEquals("Allow SSH from this network", text("allow-ssh"));
        el("allow-ssh").click();
        wait.until(d -> text("message").startsWith("SSH is open from 127.0.0.1/32 until "));
        assertEquals(1, local.sim.calls("AuthorizeSecurityGroupIngress"), "one POST /ssh at the wire");
        assertEquals(java.util.List.of("127.0.0.1/32"), local.sim.securityGroups().rules().stream()
                .map(dev.gpubox.sim.SecurityGroups.Rule::cidrIpv4).toList());
        assertEquals("stopped", text("state"), "the box itself is unchanged");
        assertFalse(el("error").isDisplayed());

        // A tap on an action turns every button off for its call; all of them come back after it.
        el("start").click();
        awaitText("state", "running");
        assertTrue(el("allow-ssh").isEnabled(), "a tap on Start left Allow SSH dead");
        el("allow-ssh").click();
        wait.until(d -> text("message").startsWith("SSH from 127.0.0.1/32 stays open until "));
    }

    @Test
    void fromTheKeyPromptThroughStartSnoozeAndStopWithEveryMessageShown() throws Exception {
        // Without a key the page shows only the prompt: it carries nothing else.
        visible("key-form");
        assertFalse(el("panel").isDisplayed());
        screenshot("panel-key-prompt");

        enterKey("not-the-key");
        visible("key-form");
        assertEquals("The API refused this key. Enter it again: on your laptop, ./gpubox phone shows it as a QR code"
                + " and as text (after ./gpubox rotate-key, the new key).", text("error"));

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
        assertTrue(text("month").matches("\\d+\\.\\d h, ~\\$\\d+\\.\\d\\d of \\$50"), "the month's spend: " + text("month"));

        // Keep on until two hours from now, in the stack's zone (what until=HH:MM means).
        String until = ZonedDateTime.now(local.box.policy().zone()).plusHours(2)
                .format(DateTimeFormatter.ofPattern("HH:mm"));
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1]", el("snooze-until"), until);
        el("snooze").click();
        wait.until(d -> el("cancel-snooze").isEnabled() && text("message").contains(until));
        Instant snoozedUntil = Instant.parse(local.call("GET", "/status").json().path("snoozedUntil").asText());
        assertEquals(until, snoozedUntil.atZone(stackZone).format(DateTimeFormatter.ofPattern("HH:mm")),
                "HH:MM typed on the phone is that time in the stack's zone");
        // Two hours on is past tonight's stop in the evening, before it (a shorter day) after the nightly stop.
        assertEquals(snoozedUntil.isBefore(stop) ? shorterDay(snoozedUntil, stop)
                : stackClock(snoozedUntil) + " — kept on (snoozed) until then", text("next-stop"));
        screenshot("panel-running-snoozed");

        el("cancel-snooze").click();
        wait.until(d -> text("next-stop").endsWith("the nightly auto-stop"));
        assertTrue(local.call("GET", "/status").json().path("snoozedUntil").isNull(), "cancelled at the API");

        el("stop").click();
        el("stop-yes").click();
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

    // ------------------------------------------------------------------ issue 16: where a new user stumbled

    /**
     * Point 4: {@code ./gpubox phone}'s QR code opens the panel at {@code .../#key=KEY}. The panel keeps the key
     * as a typed one, and nothing is left of it in the address bar or the tab's history; the fragment never
     * leaves the phone, so the front door (API Gateway's stand-in) saw the key only in x-api-key.
     */
    @Test
    void theKeyInTheQrCodesFragmentIsKeptAndLeavesNoTraceInTheAddressBarHistoryOrTheServersLog() throws Exception {
        browser.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        long blankTab = (Long) js("return history.length");
        browser.get(local.api.url() + "/#key=" + WireFixture.KEY);
        awaitText("state", "stopped"); // a status call with the key succeeded
        assertEquals("", js("return location.hash"), "the fragment is gone from the address bar");
        assertEquals(local.api.url() + "/", browser.getCurrentUrl());
        assertEquals(blankTab + 1, js("return history.length"), "one entry for the page, none added (replaced, not pushed)");
        assertTrue(local.api.keyedCalls("/status") >= 1);

        browser.navigate().refresh(); // stored on the phone, as a typed key is
        awaitText("state", "stopped");
        assertFalse(el("key-form").isDisplayed());

        java.util.List<String> log = local.api.requestLog();
        assertTrue(log.stream().anyMatch(line -> line.startsWith("GET ") && line.contains("/status")), log.toString());
        assertTrue(log.stream().noneMatch(line -> line.contains(WireFixture.KEY)),
                "the key reached the server outside x-api-key: " + log);
    }

    /**
     * Point 5: a mis-tap on Stop does not end a run (it asks first); the Keep-on field is 24-hour whatever the
     * phone's locale (en-US here: a type=time field shows 03:40 AM); a snooze that ends the day before its
     * planned stop says so; the key prompt says where the key comes from in a phone user's words.
     */
    @Test
    void stopAsksFirstTheKeepOnFieldIsTwentyFourHourAndAShorterDaySaysSo() throws Exception {
        assertTrue(text("key-help").contains("./gpubox phone") && text("key-help").contains("scan the QR code"),
                "the prompt says where the key comes from: " + text("key-help"));
        enterKey(WireFixture.KEY);
        awaitText("state", "stopped");
        el("start").click();
        awaitText("state", "running");

        el("stop").click();
        assertTrue(el("stop-confirm").isDisplayed(), "Stop asks first");
        assertTrue(text("stop-question").contains("training run"), text("stop-question"));
        screenshot("panel-stop-question");
        assertTrue(el("stop-yes").isEnabled(), "after Start's tap the question's buttons are on");
        el("stop-no").click(); // a real tap (touch emulation), at once: no pause, no script click
        assertFalse(el("stop-confirm").isDisplayed(), "Keep it running closes the question");
        el("refresh").click();
        Thread.sleep(500);
        assertEquals("running", text("state"));
        assertEquals(0, local.sim.calls("StopInstances"), "no stop reached EC2 without the confirmation");

        // 24-hour, typed as a user types it: no AM/PM anywhere.
        assertEquals("text", el("snooze-until").getDomProperty("type"),
                "a type=time field shows the phone's locale clock (03:40 AM in en-US), not 24-hour");
        ZoneId stackZone = local.box.policy().zone();
        Instant planned = Instant.parse(local.call("GET", "/status").json().path("nextAutomaticStop").asText());
        ZonedDateTime now = ZonedDateTime.now(stackZone).withSecond(0).withNano(0);
        long minutesLeft = Duration.between(now.toInstant(), planned).toMinutes();
        org.junit.jupiter.api.Assumptions.assumeTrue(minutesLeft >= 6, "the planned stop is too close to shorten the day");
        ZonedDateTime earlier = now.plusMinutes(Math.min(minutesLeft / 2, 600));
        el("snooze-until").sendKeys(earlier.format(DateTimeFormatter.ofPattern("HH:mm")));
        el("snooze").click();
        Instant snoozed = earlier.toInstant();
        wait.until(d -> text("next-stop").startsWith("Stops earlier than planned"));
        assertEquals(shorterDay(snoozed, planned), text("next-stop"));
        assertFalse(text("next-stop").matches(".*\\b(AM|PM)\\b.*"), text("next-stop"));
        screenshot("panel-shorter-day");
        browser.navigate().refresh(); // opened again later: the phone still knows the day was planned longer
        awaitText("next-stop", shorterDay(snoozed, planned));

        el("stop").click();
        el("stop-yes").click();
        awaitText("state", "stopping");
        assertEquals(1, local.sim.calls("StopInstances"));
    }

    /** Point 5: the phone loses its network: the actions are off with a note saying why; back online, on again. */
    @Test
    void offlineTheActionsAreOffWithANote() throws Exception {
        enterKey(WireFixture.KEY);
        awaitText("state", "stopped");
        assertTrue(el("start").isEnabled());
        browser.executeCdpCommand("Network.enable", Map.of());
        browser.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", true, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", -1));
        wait.until(d -> el("offline").isDisplayed());
        assertEquals(Boolean.FALSE, js("return navigator.onLine"));
        assertTrue(text("offline").startsWith("This phone is offline"), text("offline"));
        for (String action : new String[] {"start", "stop", "snooze", "cancel-snooze", "allow-ssh"}) {
            assertFalse(el(action).isEnabled(), action + " is off while offline");
        }
        screenshot("panel-phone-offline");

        browser.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", -1));
        wait.until(d -> el("start").isEnabled());
        assertFalse(el("offline").isDisplayed());
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /** The label of a snooze that ends the day before its planned stop. */
    private String shorterDay(Instant snoozed, Instant planned) {
        String at = stackClock(snoozed);
        return "Stops earlier than planned: " + at.substring(0, at.lastIndexOf(' ')) + " instead of " + stackClock(planned);
    }

    // ------------------------------------------------------------------ issue 14: waking up, and a day left open

    static final Path FAKE_CLOCK = Path.of("src", "test", "resources", "panel-fake-clock.js");
    static final Path TEMPLATE = Path.of("..", "template.yaml");

    /**
     * A tap on a function Lambda cannot run yet (a SnapStart version waking up) gets API Gateway's own 5xx,
     * with no gpubox error code. The panel says it is waking up, tries again after 2 s and 4 s, and the third
     * try starts the box; a fourth kind of 5xx, gpubox's own ec2_unavailable, is shown, not retried; and a
     * gateway that never recovers is tried 5 times, no more. Counted at local mode's front door.
     */
    @Test
    void aGatewayFiveHundredIsRetriedWhileTheApiWakesUpAndTheThirdTrySucceeds() throws Exception {
        enterKey(WireFixture.KEY);
        awaitText("state", "stopped");
        installFakeClock();
        advance(Duration.ZERO); // the reloaded page's first poll
        awaitText("state", "stopped");

        // One bare reply (a stack from before the template's GatewayResponses), then the template's api_unavailable.
        local.api.gatewayFaults().injectBare(502, 1);
        local.api.gatewayFaults().inject(502, 1);
        int startsBefore = local.api.keyedCalls("/start");
        el("start").click();
        wait.until(d -> text("waking").startsWith("Waking up the gpubox API (HTTP 502"));
        assertTrue(el("waking").isDisplayed(), "the waking-up state is on screen");
        assertTrue(text("waking").endsWith("trying again in 2 s (try 2 of 5)."), text("waking"));
        assertEquals(1, local.api.keyedCalls("/start") - startsBefore);
        advance(Duration.ofSeconds(2));
        assertEquals(2, local.api.keyedCalls("/start") - startsBefore);
        assertTrue(text("waking").endsWith("trying again in 4 s (try 3 of 5)."), text("waking"));
        advance(Duration.ofSeconds(4));
        awaitText("state", "pending");
        assertEquals(3, local.api.keyedCalls("/start") - startsBefore, "two gateway replies, then the start");
        assertEquals(1, local.sim.calls("StartInstances"), "only the third try reached the function");
        assertFalse(el("waking").isDisplayed(), "the waking-up state goes with the success");
        assertFalse(el("error").isDisplayed());

        // gpubox's own 5xx carries its code: shown at once, never retried.
        advance(Duration.ofMinutes(2));
        local.sim.faults().inject("DescribeInstances", "Unavailable", 4); // the SDK's own 3 retries, then the API's 503
        int statusBefore = local.api.keyedCalls("/status");
        el("refresh").click();
        wait.until(d -> el("error").isDisplayed());
        assertEquals(1, local.api.keyedCalls("/status") - statusBefore, "ec2_unavailable is not the gateway waking up");
        assertFalse(el("waking").isDisplayed());
        local.sim.faults().clear();

        // A gateway that stays down: 5 tries over 30 s, then its message.
        local.api.gatewayFaults().inject(502, 100);
        statusBefore = local.api.keyedCalls("/status");
        el("refresh").click();
        wait.until(d -> el("waking").isDisplayed());
        advance(Duration.ofSeconds(2 + 4 + 8 + 16));
        wait.until(d -> !el("waking").isDisplayed());
        assertEquals(5, local.api.keyedCalls("/status") - statusBefore, "bounded: 5 tries in all");
        assertTrue(text("error").startsWith("API Gateway could not get an answer"), text("error"));
        local.api.gatewayFaults().clear();
    }

    /**
     * A panel left open for days on a box that is starting all the time (the worst case: it polls fastest
     * then) makes no more calls a day than the panel itself states, and the stack's default daily quota is
     * at least ten times that; hidden, it makes none; on 429 and on errors it backs off. The page's timers
     * and clock are the test's (panel-fake-clock.js); the calls are counted at local mode's front door.
     */
    @Test
    void aPanelLeftOpenForADayMakesNoMoreCallsThanItStatesAndNoneWhileHidden() throws Exception {
        // A box that stays pending for the whole (fake) day.
        local.close();
        local = new WireFixture(Duration.ofHours(2), Duration.ofHours(2));
        browser.get(local.api.url() + "/");
        installFakeClock();
        enterKey(WireFixture.KEY);
        awaitText("state", "stopped");

        Matcher stated = Pattern.compile("at most ([\\d,]+) calls a day\\.$").matcher(text("poll-note"));
        assertTrue(stated.find() && el("poll-note").isDisplayed(), "the panel states its calls a day: " + text("poll-note"));
        int perDay = Integer.parseInt(stated.group(1).replace(",", ""));
        Matcher quota = Pattern.compile("ApiDailyQuota:(?:\\s+#[^\\n]*)*\\s+Type: Number\\s+Default: (\\d+)").matcher(Files.readString(TEMPLATE));
        assertTrue(quota.find(), "template.yaml's ApiDailyQuota");
        assertTrue(Integer.parseInt(quota.group(1)) >= 10 * perDay, "the default quota (" + quota.group(1)
                + ") must be at least 10 times the " + perDay + " calls a day one open panel may make");

        // Hidden for a day: not one call; back in view: one at once.
        int before = local.api.keyedCalls();
        hide(true);
        advance(Duration.ofHours(24));
        assertEquals(before, local.api.keyedCalls(), "no call while the page is hidden");
        hide(false);
        advance(Duration.ZERO);
        assertEquals(before + 1, local.api.keyedCalls(), "coming back refreshes once");

        // The worst case: the box is starting all day, so the panel polls as fast as it ever does.
        el("start").click();
        awaitText("state", "pending");
        before = local.api.keyedCalls();
        long started = System.nanoTime();
        advance(Duration.ofHours(24));
        int day = local.api.keyedCalls() - before;
        System.out.printf("PanelBrowserTest: %d calls in a fake day of pending (stated %d), %d ms%n", day, perDay,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        assertTrue(day <= perDay, day + " calls in a day, more than the " + perDay + " the panel states");
        assertTrue(day > perDay - 60, day + " calls: the bound is what the panel really uses, not a guess");
        assertEquals("pending", text("state"));

        // The daily quota is used up: the panel waits longer after each 429, not once a minute.
        local.api.gatewayFaults().inject(429, 10_000);
        before = local.api.keyedCalls();
        advance(Duration.ofHours(24));
        int throttledDay = local.api.keyedCalls() - before;
        System.out.printf("PanelBrowserTest: %d calls in a fake day of 429s%n", throttledDay);
        assertTrue(throttledDay <= 30, throttledDay + " calls in a day of 429s");
        // The gateway's own quota reply (the template's, which local mode injects), then when the panel tries next.
        String quotaMessage = WireFixture.JSON.readTree(JsonErrors.QUOTA_EXCEEDED).path("message").asText();
        assertTrue(text("error").startsWith(quotaMessage + " (next try in"), text("error"));
        local.api.gatewayFaults().clear();

        // An API that fails every call: each poll tries 5 times, and the polls back off to 15 minutes.
        local.api.gatewayFaults().inject(502, 100_000);
        before = local.api.keyedCalls();
        advance(Duration.ofHours(24));
        int failingDay = local.api.keyedCalls() - before;
        System.out.printf("PanelBrowserTest: %d calls in a fake day of gateway 502s%n", failingDay);
        assertTrue(failingDay <= perDay / 2, failingDay + " calls in a day of errors");
        local.api.gatewayFaults().clear();
    }

    /** From now on every page this browser opens runs with the test's clock; the panel is reloaded with it. */
    private void installFakeClock() throws IOException {
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", Files.readString(FAKE_CLOCK)));
        browser.manage().timeouts().scriptTimeout(Duration.ofMinutes(5));
        browser.navigate().refresh();
        wait.until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript("return !!window.__fakeClock")));
    }

    /** Moves the page's clock, running every timer that falls due as the page would have. */
    private void advance(Duration by) {
        ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; window.__fakeClock.advance(arguments[0]).then(done);",
                by.toMillis());
    }

    private void hide(boolean hidden) {
        ((JavascriptExecutor) browser).executeScript("window.__fakeClock.setHidden(arguments[0])", hidden);
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
