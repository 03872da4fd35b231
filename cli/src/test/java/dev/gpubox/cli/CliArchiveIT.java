package dev.gpubox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The laptop CLI's AOT cache (JDK 25+) holds the path of status, snooze and down whichever command trained it:
 * trained on {@code status --help} (which calls nothing), a later {@code status} loads its HTTP exchange and
 * reply parsing from the cache, not from the jar. Without AotTraining's call such a cache missed them, and the
 * first command after a build decided how fast the next ones were (docs/performance.md, "The laptop CLI").
 */
class CliArchiveIT {
    static final Path JAR = Path.of("target", "gpubox-cli.jar").toAbsolutePath();
    /** The classes of the API call: ours, Jackson's parser and tree, the JDK's HttpURLConnection. */
    static final Pattern API_PATH = Pattern.compile(
            "\\] (dev\\.gpubox\\.cli\\.\\S+|com\\.fasterxml\\.jackson\\.\\S+|sun\\.net\\.www\\.\\S+|java\\.net\\.HttpURLConnection\\S*) source: (.*)$");

    @TempDir
    Path dir;

    private String java(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + "\n" + out);
        return out;
    }

    @Test
    void aCacheTrainedOnAnotherCommandHoldsStatussApiCall() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "the AOT cache (JEP 483) needs JDK 25; this is "
                + Runtime.version() + ", where ./gpubox makes a dynamic CDS archive instead");
        assertTrue(Files.isRegularFile(JAR), "build the CLI jar first (mvn package): " + JAR);
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.resolve("config").toString(), "HOME", dir.toString());
        Path conf = dir.resolve("cli.aotconf");
        Path cache = dir.resolve("cli.aot");
        String cp = JAR.toString();
        java(env, "-XX:TieredStopAtLevel=1", "-XX:AOTMode=record", "-XX:AOTConfiguration=" + conf,
                "-Xlog:aot=off", "-Xlog:cds=off", "-Dgpubox.aotTraining=true", "-cp", cp, "dev.gpubox.cli.Cli", "status", "--help");
        java(env, "-XX:AOTMode=create", "-XX:AOTConfiguration=" + conf, "-XX:AOTCache=" + cache,
                "-Xlog:aot=off", "-Xlog:cds=off", "-cp", cp);

        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", exchange -> {
            byte[] bytes = "{\"state\":\"stopped\",\"message\":\"GPU box is stopped.\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        api.start();
        try {
            new CliConfig(Map.of(CliConfig.URL, "http://127.0.0.1:" + api.getAddress().getPort(), CliConfig.KEY, "k"))
                    .save(CliConfig.file(env));
            Path loaded = dir.resolve("loaded.txt");
            String out = java(env, "-XX:TieredStopAtLevel=1", "-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off",
                    "-Xlog:class+load=info:file=" + loaded, "-cp", cp, "dev.gpubox.cli.Cli", "status");
            assertEquals("GPU box is stopped.\n", out);
            List<String> fromTheJar = new ArrayList<>();
            int onThePath = 0;
            for (String line : Files.readAllLines(loaded)) {
                var m = API_PATH.matcher(line);
                if (m.find()) {
                    onThePath++;
                    if (!m.group(2).startsWith("shared objects file")) {
                        fromTheJar.add(m.group(1) + " from " + m.group(2));
                    }
                }
            }
            assertTrue(onThePath > 50, "status loaded " + onThePath + " classes of its API call");
            assertEquals(List.of(), fromTheJar, "loaded by status, missing from the cache");
        } finally {
            api.stop(0);
        }
    }
}
