package dev.gpubox.functions.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.ExternalTools;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * box/gpubox-idle-watchdog.sh fed fake readings: fake ss, nvidia-smi, nproc, /proc/loadavg, boot id, instance
 * tags and shutdown, through the environment variables the script reads them from. Nothing touches the
 * machine or the real instance metadata service: the script's curl is a guard that lets only loopback
 * through (the tag reader's own tests use {@link FakeImdsServer}) and logs anything else it refused.
 */
class IdleWatchdogScriptTest {
    static final Path SCRIPT = Path.of("..", "box", "gpubox-idle-watchdog.sh").toAbsolutePath().normalize();
    static final long NOW = 1_795_953_600L;
    static final String THIS_BOOT = "6f1c1a3e-2b7d-4c55-9a0e-1d2f3a4b5c6d";
    static final String EARLIER_BOOT = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b";

    @TempDir
    Path dir;
    Path state;
    Path shutdowns;
    Path refusedUrls;
    final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void fakes() throws IOException {
        state = Files.createDirectories(dir.resolve("state"));
        shutdowns = dir.resolve("shutdowns");
        refusedUrls = dir.resolve("refused-urls");
        // The script's curl: loopback (a FakeImdsServer) goes to the real curl; anything else is refused.
        String realCurl = ExternalTools.onPath("curl").map(Path::toString).orElse("false");
        Files.createDirectories(dir.resolve("guard"));
        fake("guard/curl", """
                for arg in "$@"; do
                  case "$arg" in
                    http://127.0.0.1:*) ;;
                    http://* | https://*) echo "$arg" >> '%s'; exit 7 ;;
                  esac
                done
                exec '%s' "$@"
                """.formatted(refusedUrls, realCurl));
        env.put("PATH", dir.resolve("guard") + File.pathSeparator + System.getenv("PATH"));
        env.put("GPUBOX_STATE_DIR", state.toString());
        env.put("GPUBOX_NOW", Long.toString(NOW));
        env.put("GPUBOX_BOOT_ID_FILE", write("boot_id", THIS_BOOT + "\n").toString());
        env.put("GPUBOX_SS", fake("ss", "exit 0"));
        env.put("GPUBOX_NVIDIA_SMI", fake("nvidia-smi", "echo 0"));
        env.put("GPUBOX_NPROC", fake("nproc", "echo 4"));
        env.put("GPUBOX_LOADAVG", write("loadavg", "0.08 0.05 0.01 1/234 5678\n").toString());
        env.put("GPUBOX_SHUTDOWN", fake("shutdown", "echo called >> " + shutdowns));
        env.put("GPUBOX_TAG_READER", fake("tags", "exit 0"));
        env.put("GPUBOX_IDLE_MINUTES", "60");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private String fake(String name, String body) throws IOException {
        Path file = write(name, "#!/usr/bin/env bash\n" + body + "\n");
        assertTrue(file.toFile().setExecutable(true));
        return file.toString();
    }

    private String run() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("GPUBOX_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Runs the script {@code minutes} after {@link #NOW}. */
    private String runAt(long minutes) throws Exception {
        env.put("GPUBOX_NOW", Long.toString(NOW + minutes * 60));
        return run();
    }

    /** This boot's idle streak, as the script records it: "SINCE BOOT_ID". */
    private void idleSince(long minutesAgo) throws IOException {
        stateFile(NOW - minutesAgo * 60 + " " + THIS_BOOT + "\n");
    }

    private void stateFile(String content) throws IOException {
        Files.writeString(state.resolve("idle-since"), content);
    }

    private String stateFile() throws IOException {
        return Files.readString(state.resolve("idle-since"));
    }

    private boolean stopped() {
        return Files.exists(shutdowns);
    }

    @Test
    void offWhenIdleMinutesIsZero() throws Exception {
        env.put("GPUBOX_IDLE_MINUTES", "0");
        idleSince(600);
        run();
        assertFalse(stopped());
        assertFalse(Files.exists(state.resolve("idle-since")), "turning it off forgets an idle streak");
    }

    @Test
    void theFirstIdleMinuteStartsTheClock() throws Exception {
        String out = run();
        assertFalse(stopped());
        assertEquals(NOW + " " + THIS_BOOT + "\n", stateFile());
        assertTrue(out.startsWith("idle: no ssh, GPU 0%, CPU 2%"), out);
    }

    @Test
    void notYetLongEnough() throws Exception {
        idleSince(59);
        assertTrue(run().contains("idle for 59 of 60 minutes"));
        assertFalse(stopped());
    }

    @Test
    void longEnoughStopsTheBoxOnce() throws Exception {
        idleSince(60);
        assertTrue(run().contains("stopping this box"));
        assertEquals("called\n", Files.readString(shutdowns));
        assertFalse(Files.exists(state.resolve("idle-since")));
    }

    @Test
    void anSshConnectionIsBusy() throws Exception {
        env.put("GPUBOX_SS", fake("ss", "echo 'ESTAB 0 0 10.0.0.5:22 198.51.100.7:51234'"));
        idleSince(600);
        assertTrue(run().startsWith("busy: 1 ssh connection(s)"));
        assertFalse(stopped());
        assertFalse(Files.exists(state.resolve("idle-since")), "being busy resets the idle streak");
    }

    @Test
    void theBusiestGpuCounts() throws Exception {
        env.put("GPUBOX_NVIDIA_SMI", fake("nvidia-smi", "printf '0\\n37\\n'"));
        idleSince(600);
        assertTrue(run().contains("GPU 37%"));
        assertFalse(stopped());
    }

    @Test
    void cpuLoadIsAPercentageOfTheCores() throws Exception {
        env.put("GPUBOX_LOADAVG", write("loadavg", "2.00 1.00 0.50 3/300 999\n").toString());
        idleSince(600);
        assertTrue(run().contains("CPU 50%"));
        assertFalse(stopped());
    }

    @Test
    void withoutAWorkingNvidiaSmiTheGpuCountsAsIdle() throws Exception {
        env.put("GPUBOX_NVIDIA_SMI", fake("nvidia-smi", "echo 'NVIDIA-SMI has failed' >&2; exit 9"));
        idleSince(60);
        run();
        assertTrue(stopped());
    }

    @Test
    void settingsComeFromTheInstanceTags() throws Exception {
        env.remove("GPUBOX_IDLE_MINUTES");
        env.put("GPUBOX_TAG_READER", fake("tags", """
                case "$1" in
                  gpubox-idle-minutes) echo 30 ;;
                  gpubox-idle-cpu-percent) echo 1 ;;
                esac"""));
        idleSince(30);
        String out = run();
        assertTrue(out.startsWith("busy:") && out.contains("idle below 1%"), "CPU 2% is busy above a 1% limit: " + out);
        env.put("GPUBOX_TAG_READER", fake("tags", "[ \"$1\" = gpubox-idle-minutes ] && echo 30 || true"));
        idleSince(30);
        run();
        assertTrue(stopped());
    }

    @Test
    void anUnreadableTagMeansOff() throws Exception {
        env.remove("GPUBOX_IDLE_MINUTES");
        env.put("GPUBOX_TAG_READER", fake("tags", "echo 'not a number'"));
        idleSince(6000);
        run();
        assertFalse(stopped());
    }

    // Idle time counts from this boot at the earliest, and bad state never jams the watchdog (issue 8, point 1).

    /**
     * The nightly stop (or /stop, or the console) stopped the box during a long idle streak; then someone
     * starts it again. The streak it left behind, written by an earlier version of the script (just a time,
     * on the root disk) or in an earlier boot, must not stop the box in its first minutes: the count starts
     * again at this boot.
     */
    @ParameterizedTest
    @ValueSource(strings = {"%d\n", "%d " + EARLIER_BOOT + "\n"})
    void anIdleStreakFromBeforeTheLastStopDoesNotStopTheBoxAfterItsNextStart(String leftover) throws Exception {
        stateFile(leftover.formatted(NOW - 10 * 60 * 60));
        assertTrue(runAt(0).contains("idle: no ssh"), "the count starts again at this boot");
        assertEquals(NOW + " " + THIS_BOOT + "\n", stateFile());
        assertTrue(runAt(5).contains("idle for 5 of 60 minutes"));
        assertTrue(runAt(59).contains("idle for 59 of 60 minutes"));
        assertFalse(stopped(), "not within IdleMinutes of this boot's first idle reading");
        assertTrue(runAt(60).contains("stopping this box"));
        assertTrue(stopped());
    }

    /** An empty or corrupt state file restarts the count (and says so) instead of failing every minute. */
    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "not a time\n", "\0\0\0\0", "-600 %2$s\n", "17959176OO %2$s\n",
            "99999999999999999999 %2$s\n", "%1$d %2$s and more\n", "%1$d 6f1c1a3e\n"})
    void anEmptyOrCorruptStateFileRestartsTheCount(String content) throws Exception {
        stateFile(content.formatted(NOW - 10 * 60 * 60, THIS_BOOT));
        String out = runAt(0);
        assertTrue(out.contains("ignoring ") && out.contains("idle: no ssh"), out);
        assertEquals(NOW + " " + THIS_BOOT + "\n", stateFile());
        assertFalse(stopped());
        assertTrue(runAt(60).contains("stopping this box"), "the restarted count still stops an idle box");
    }

    /** Something the script cannot read as a file (here a directory) in its place is replaced, not tripped over. */
    @Test
    void anUnreadableStateRestartsTheCount() throws Exception {
        Files.writeString(Files.createDirectories(state.resolve("idle-since")).resolve("junk"), "600");
        assertTrue(runAt(0).contains("idle: no ssh"));
        assertTrue(runAt(60).contains("stopping this box"), "an idle box whose state was unreadable still stops");
    }

    /** A streak that starts after now (the clock went back) restarts the count rather than waiting it out. */
    @Test
    void aStreakFromTheFutureRestartsTheCount() throws Exception {
        idleSince(-120);
        assertTrue(runAt(0).contains("idle: no ssh"));
        assertTrue(runAt(60).contains("stopping this box"), "60 minutes after now, not 180");
    }

    /**
     * The tag reader itself, against a fake IMDSv2 that refuses any read without a token it issued: the
     * settings it applies prove it took a token (PUT with a TTL) and read each tag with it.
     */
    @Test
    void theTagReaderTakesAMetadataTokenAndReadsTheTagsWithIt() throws Exception {
        ExternalTools.requireCommand("curl", "the watchdog's instance-tag reader");
        env.remove("GPUBOX_IDLE_MINUTES");
        env.remove("GPUBOX_TAG_READER");
        Map<String, String> tags = Map.of("gpubox-idle-minutes", "30", "gpubox-idle-cpu-percent", "1");
        try (FakeImdsServer imds = FakeImdsServer.start(tags)) {
            String tag = imds.url() + "/latest/meta-data/tags/instance/gpubox-idle-minutes";
            assertEquals(401, statusOf(tag, null), "the fake answers no tag without a token");
            assertEquals(401, statusOf(tag, "made-up"), "nor with a token it did not issue");
            int probes = imds.requests().size();
            env.put("GPUBOX_IMDS", imds.url());

            String out = run();
            assertTrue(out.startsWith("busy:") && out.contains("idle below 1%"), "CPU 2% is over the tag's 1%: " + out);
            List<FakeImdsServer.Request> wire = imds.requests().subList(probes, imds.requests().size());
            List<FakeImdsServer.Request> puts = wire.stream().filter(r -> r.method().equals("PUT")).toList();
            List<FakeImdsServer.Request> gets = wire.stream().filter(r -> r.method().equals("GET")).toList();
            assertEquals(3, puts.size(), "a token per setting: " + wire);
            assertTrue(puts.stream().allMatch(r -> r.path().equals("/latest/api/token") && r.status() == 200),
                    "each token granted: " + wire);
            assertEquals(List.of("gpubox-idle-minutes", "gpubox-idle-gpu-percent", "gpubox-idle-cpu-percent"),
                    gets.stream().map(r -> r.path().replace("/latest/meta-data/tags/instance/", "")).toList());
            assertTrue(gets.stream().allMatch(r -> imds.issued(r.token())), "every read has an issued token: " + gets);
            assertEquals(List.of(200, 404, 200), gets.stream().map(FakeImdsServer.Request::status).toList(),
                    "gpubox-idle-gpu-percent is not a tag here, so its default applies");

            idleSince(30);
            env.put("GPUBOX_IDLE_CPU_PERCENT", "10");
            run();
            assertTrue(stopped(), "30 idle minutes from the tag stop the box");
        }
        env.remove("GPUBOX_IMDS");
        run();
        assertEquals("http://169.254.169.254/latest/api/token", Files.readAllLines(refusedUrls).get(0),
                "without GPUBOX_IMDS it asks the instance metadata service's own address");
        Files.delete(refusedUrls);
    }

    private static int statusOf(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            request.header(FakeImdsServer.TOKEN_HEADER, token);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @AfterEach
    void nothingLeftTheMachine() {
        assertFalse(Files.exists(refusedUrls), "the script tried to reach a non-loopback address");
    }
}
