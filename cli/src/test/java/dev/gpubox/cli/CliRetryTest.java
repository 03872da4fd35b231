package dev.gpubox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a command that meets API Gateway's own 5xx (no gpubox error code, or api_unavailable: the function
 * could not run yet, e.g. a SnapStart version waking up) says so and tries again with back-off, a bounded
 * number of times; a gpubox function's own coded 5xx is not retried. The API is a stand-in on loopback that
 * plays a script of replies and counts the requests.
 */
class CliRetryTest {
    static final String STOPPED = "{\"state\":\"stopped\",\"message\":\"GPU box is stopped.\"}";
    static final String BARE = "{\"message\": \"Internal server error\"}";
    static final String API_UNAVAILABLE = "{\"error\":\"api_unavailable\",\"message\":\"The gpubox API is not available right now.\"}";

    @TempDir
    Path home;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Deque<Map.Entry<Integer, String>> script = new ArrayDeque<>();
    private int requests;
    private HttpServer api;
    private String url;

    /** The stand-in plays the script, one reply per request, then answers 200 with a stopped box. */
    private void api(List<Map.Entry<Integer, String>> replies) throws IOException {
        script.addAll(replies);
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", exchange -> {
            Map.Entry<Integer, String> reply;
            synchronized (this) {
                requests++;
                reply = script.isEmpty() ? Map.entry(200, STOPPED) : script.pollFirst();
            }
            byte[] bytes = reply.getValue().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.getKey(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        api.start();
        url = "http://127.0.0.1:" + api.getAddress().getPort();
        // Saved without a first call: login's own status check would take a reply of the script.
        CliConfig config = new CliConfig(Map.of(CliConfig.URL, url, CliConfig.KEY, "k"));
        config.save(CliConfig.file(Map.of("HOME", home.toString())));
    }

    private int run(String... args) {
        err.reset();
        out.reset();
        return new Cli(Map.of("HOME", home.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))
                .wakeDelays(List.of(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(80), Duration.ofMillis(160)))
                .run(args);
    }

    @AfterEach
    void stopTheStandIn() {
        api.stop(0); // every test starts one
    }

    /** What the CLI printed on stderr: the waking-up lines and the failure. */
    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void twoGatewayRepliesThenTheThirdTrySucceeds() throws IOException {
        api(List.of(Map.entry(502, BARE), Map.entry(503, API_UNAVAILABLE)));
        assertEquals(0, run("status"), err());
        assertEquals("GPU box is stopped.\n", out.toString(StandardCharsets.UTF_8));
        assertEquals(3, requests, "two gateway replies, then the answer");
        assertEquals("  waking up the gpubox API (HTTP 502 from API Gateway itself, it was idle)… trying again in 20 ms"
                + " (try 2 of 5)\n  waking up the gpubox API (HTTP 503 from API Gateway itself, it was idle)… trying"
                + " again in 40 ms (try 3 of 5)\n", err());
    }

    @Test
    void aGatewayThatStaysDownIsTriedFiveTimesThenTheCommandSaysToWait() throws IOException {
        api(List.of(Map.entry(502, BARE), Map.entry(502, BARE), Map.entry(502, BARE), Map.entry(502, BARE),
                Map.entry(502, BARE), Map.entry(502, BARE)));
        assertEquals(4, run("down"), "exit 4: it passes by itself");
        assertEquals(5, requests, "bounded: five tries");
        assertTrue(err().endsWith("gpubox down: Internal server error\nNext: API Gateway could not run the function"
                + " in 5 tries over 30 s (it may still be waking up after days idle): run the command again in a"
                + " minute; if it persists, see the function's CloudWatch log.\n"), err());
    }

    @Test
    void aGpuboxFunctionsOwnFiveHundredIsNotRetried() throws IOException {
        api(List.of(Map.entry(503, "{\"error\":\"ec2_unavailable\",\"message\":\"EC2 is overloaded.\"}"),
                Map.entry(500, "{\"error\":\"internal_error\",\"message\":\"A bug.\"}")));
        assertEquals(4, run("status"));
        assertEquals(1, requests);
        assertFalse(err().contains("waking up"), err());
        assertEquals(1, run("status"));
        assertEquals(2, requests, "internal_error is gpubox's own: one request");
        assertFalse(err().contains("waking up"), err());
    }
}
