package dev.gpubox.functions.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * box/gpubox-idle-watchdog.sh fed fake readings: fake ss, nvidia-smi, nproc, /proc/loadavg, instance tags
 * and shutdown, through the environment variables the script reads them from. Nothing touches the machine
 * (or the instance metadata service): every run sets a tag reader.
 */
class IdleWatchdogScriptTest {
    static final Path SCRIPT = Path.of("..", "box", "gpubox-idle-watchdog.sh").toAbsolutePath().normalize();
    static final long NOW = 1_795_953_600L;

    @TempDir
    Path dir;
    Path state;
    Path shutdowns;
    final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void fakes() throws IOException {
        state = Files.createDirectories(dir.resolve("state"));
        shutdowns = dir.resolve("shutdowns");
        env.put("GPUBOX_STATE_DIR", state.toString());
        env.put("GPUBOX_NOW", Long.toString(NOW));
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

    private void idleSince(long minutesAgo) throws IOException {
        Files.writeString(state.resolve("idle-since"), Long.toString(NOW - minutesAgo * 60) + "\n");
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
        assertEquals(Long.toString(NOW), Files.readString(state.resolve("idle-since")).trim());
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
}
