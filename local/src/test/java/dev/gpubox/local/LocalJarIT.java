package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpubox.sim.Ec2Simulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The built jar as a user runs it: handlers configured only by environment variables, and local mode. */
class LocalJarIT {
    static final Path JAR = Path.of("target", "gpubox-local.jar").toAbsolutePath();
    static final Path EVENTS = Path.of("..", "events").toAbsolutePath().normalize();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The handlers set no endpoint: the SDK's standard variables alone must send them to any EC2-compatible
     * endpoint. Each run is a fresh JVM using the handler's Lambda constructor, as a cold start does.
     */
    @ParameterizedTest
    @ValueSource(strings = {"AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"})
    void handlersFollowTheStandardEndpointVariables(String variable) throws Exception {
        // EC2's clock runs two minutes behind, so the box's start lies before this minute's nightly stop.
        Clock ec2Clock = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-2));
        try (Ec2Simulator sim = Ec2Simulator.start(0, ec2Clock, Duration.ZERO, Duration.ZERO)) {
            var box = SeededBox.seed(sim.state());
            Map<String, String> env = Map.of(variable, sim.endpoint().toString(),
                    "GPUBOX_INSTANCE_ID", box.instanceId(), "GPUBOX_EIP_ALLOCATION_ID", box.eipAllocationId(),
                    "GPUBOX_MANAGED_TAG", box.managedTagKey() + "=" + box.managedTagValue(),
                    "GPUBOX_TIMEZONE", "UTC"); // the template always sets it; there is no default zone

            String status = invoke(env, "dev.gpubox.functions.StatusHandler", "status.json");
            JsonNode reply = JSON.readTree(status.substring(status.lastIndexOf("\n{") + 1));
            assertEquals(200, reply.path("statusCode").asInt(), status);
            assertTrue(reply.path("body").asText().contains(box.instanceId()));
            assertTrue(sim.calls("DescribeInstances") >= 1, "the simulator, not AWS, was asked");

            sim.state().associateAddress(box.eipAllocationId(), box.instanceId(), false);
            invoke(env, "dev.gpubox.functions.StartHandler", "start.json");
            assertEquals(1, sim.calls("StartInstances"));
            // The nightly stop at this minute, in UTC, after the start: it is due now (a run never stops a box
            // before its deadline). This also proves the schedule settings come from the environment.
            Map<String, String> nightlyEnv = new java.util.HashMap<>(env);
            nightlyEnv.put("GPUBOX_SHUTDOWN_TIME", java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
                    .format(java.time.format.DateTimeFormatter.ofPattern("HH:mm")));
            nightlyEnv.put("GPUBOX_TIMEZONE", "UTC");
            String nightly = invoke(nightlyEnv, "dev.gpubox.functions.ScheduledStopHandler",
                    "scheduled-stop-scheduler.json");
            assertTrue(nightly.contains("gpubox scheduled stop: stopped 1"), nightly);
        }
    }

    private static String invoke(Map<String, String> env, String handler, String event) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(JAVA, "-cp", JAR.toString(), "dev.gpubox.local.Invoke", handler,
                EVENTS.resolve(event).toString()).redirectErrorStream(true);
        cleanAwsEnvironment(pb.environment());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.trim();
    }

    private static void cleanAwsEnvironment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("GPUBOX_"));
        env.put("AWS_REGION", "us-west-2");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
    }

    @Test
    void localModePrintsCurlLinesThatWorkAndStopsCleanly() throws Exception {
        int port = freePort();
        Process server = startLocalMode(port);
        Output output = new Output(server);
        try {
            List<String> banner = output.awaitLine("Ctrl-C stops local mode.");
            String all = String.join("\n", banner);
            assertTrue(all.contains("API key (x-api-key): demo-key"), all);
            List<String> curls = banner.stream().map(String::trim).filter(l -> l.startsWith("curl ")).toList();
            assertEquals(6, curls.size(), "status, start, stop, snooze, cancel and the scheduled stop: " + all);
            Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")) || onPath("curl"),
                    "curl is not installed: the printed lines cannot be run as a user would");

            JsonNode status = JSON.readTree(shell(curls.get(0)));
            assertEquals("stopped", status.path("state").asText());
            JsonNode start = JSON.readTree(shell(curls.get(1)));
            assertEquals("start_issued", start.path("result").asText());
            assertEquals("running", start.path("box").path("state").asText(), "start?wait=25 waits for running");
            JsonNode snooze = JSON.readTree(shell(curls.get(3)));
            assertEquals("snoozed", snooze.path("result").asText());
            JsonNode cancel = JSON.readTree(shell(curls.get(4)));
            assertEquals("snooze_cancelled", cancel.path("result").asText());
            JsonNode stop = JSON.readTree(shell(curls.get(2)));
            assertEquals("stop_issued", stop.path("result").asText());
            JsonNode nightly = JSON.readTree(shell(curls.get(5)));
            assertEquals("Scheduled stop ran.", nightly.path("message").asText());

            // A second copy on the same port: a clear message, no stack trace, exit code 1.
            Process second = startLocalMode(port);
            String secondOut = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, second.exitValue(), secondOut);
            assertTrue(secondOut.contains("port " + port + " on 127.0.0.1 is already in use"), secondOut);
            assertFalse(secondOut.contains("\tat ") || secondOut.contains("Exception"), secondOut);
        } finally {
            // SIGTERM (Ctrl-C sends SIGINT; the shutdown hook runs for both). Through the handle, because
            // Process.destroy() would also close the pipe the hook prints its last line to.
            server.toHandle().destroy();
        }
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        output.reader.join(10_000);
        assertTrue(output.lines.contains("gpubox local mode stopped."), String.join("\n", output.lines));
    }

    private static Process startLocalMode(int port) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "--port", Integer.toString(port),
                "--api-key", "demo-key", "--start-seconds", "1", "--stop-seconds", "1").redirectErrorStream(true);
        cleanAwsEnvironment(pb.environment());
        return pb.start();
    }

    /**
     * Collects a process's output on a thread of its own: Process.destroy() closes the streams, so what the
     * shutdown hook prints must already be being read when the process is stopped.
     */
    static final class Output {
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Thread reader;

        Output(Process process) {
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException closed) {
                    // the process is gone
                }
            }, "local-mode-output");
            reader.start();
        }

        List<String> awaitLine(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (lines.stream().anyMatch(l -> l.startsWith(prefix))) {
                    return new ArrayList<>(lines);
                }
                if (!reader.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("local mode never printed '" + prefix + "':\n" + String.join("\n", lines));
        }
    }

    private static String shell(String commandLine) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", commandLine).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), commandLine + " -> " + out);
        return out;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
