package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./gpubox local} as a user runs it, then the jar rebuilt in place under it (what {@code ./gpubox
 * package} does): local mode keeps answering, because it runs from a copy it owns, and removes the copy
 * when it stops. The build step is stubbed (a fake mvn on PATH): the jar under test is the one just built.
 */
class LocalScriptIT {
    static final Path JAR = Path.of("target", "gpubox-local.jar").toAbsolutePath();

    @Test
    void localModeSurvivesTheJarBeingRebuiltInPlace(@TempDir Path stubs) throws Exception {
        Path mvn = stubs.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("..", "gpubox").toAbsolutePath().normalize().toString(),
                "local", "--port", Integer.toString(port), "--api-key", "k", "--start-seconds", "1")
                .redirectErrorStream(true);
        pb.environment().put("PATH", stubs + ":" + System.getenv("PATH"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("TMPDIR", stubs.toString());
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("GPUBOX_"));
        Process local = pb.start();
        LocalJarIT.Output output = new LocalJarIT.Output(local);
        byte[] built = Files.readAllBytes(JAR);
        try {
            output.awaitLine("Ctrl-C stops local mode.");
            String cmdline = Files.readString(Path.of("/proc", Long.toString(local.pid()), "cmdline")).replace('\0', ' ');
            assertFalse(cmdline.contains(JAR.toString()), "runs a copy, not the build output: " + cmdline);
            assertTrue(cmdline.contains(stubs.toString()), cmdline);

            // A rebuild rewrites the same file: truncate it and write other bytes.
            Files.write(JAR, "not a jar any more".getBytes(), StandardOpenOption.TRUNCATE_EXISTING);
            HttpClient http = HttpClient.newHttpClient();
            for (String path : new String[] {"/status", "/snooze"}) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("x-api-key", "k").method(path.equals("/status") ? "GET" : "DELETE",
                                HttpRequest.BodyPublishers.noBody()).timeout(java.time.Duration.ofSeconds(20)).build();
                HttpResponse<String> reply = http.send(request, HttpResponse.BodyHandlers.ofString());
                assertEquals(200, reply.statusCode(), reply.body());
            }
        } finally {
            Files.write(JAR, built, StandardOpenOption.TRUNCATE_EXISTING);
            local.toHandle().destroy();
        }
        assertTrue(local.waitFor(30, TimeUnit.SECONDS));
        try (var left = Files.list(stubs)) {
            assertEquals(1, left.count(), "only the stub mvn is left: the copy went with local mode");
        }
    }
}
