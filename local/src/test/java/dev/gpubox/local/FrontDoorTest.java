package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.local.RawHttp.Raw;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Local mode's HTTP front door behaves like API Gateway at the wire: whatever arrives — malformed,
 * oversized, lowercase, slow — the answer is JSON, nothing is read that should not be, and no EC2 call is
 * made without the key.
 */
class FrontDoorTest {
    static WireFixture local;

    @BeforeAll
    static void start() throws Exception {
        local = new WireFixture(Duration.ofMillis(200), Duration.ofMillis(200));
    }

    @AfterAll
    static void stop() {
        local.close();
    }

    @BeforeEach
    void reset() {
        local.sim.resetCalls();
    }

    static Raw send(String request) throws Exception {
        return RawHttp.send(local.api.url(), request);
    }

    /** The error contract (issue 14 point 6): JSON with an {@code error} code and a {@code message}, nothing else. */
    static void assertJsonError(Raw reply, int status) throws Exception {
        assertEquals(status, reply.status(), reply.head() + "\n" + reply.body());
        assertEquals("application/json", reply.header("Content-Type"), reply.head());
        assertFalse(reply.body().contains("<") || reply.body().contains("Exception"), reply.body());
        JsonNode json = WireFixture.JSON.readTree(reply.body());
        assertTrue(json.path("error").asText().matches("[a-z0-9_]+"), "an error code: " + reply.body());
        assertTrue(json.path("message").asText().length() > 20, "a message: " + reply.body());
    }

    /** template.yaml's GatewayResponses: response type → the JSON body API Gateway answers with. */
    static Map<String, String> gatewayResponses() throws Exception {
        String template = Files.readString(Path.of("..", "template.yaml"));
        Matcher m = Pattern.compile("(?m)^        ([A-Z_0-9]+):\n(?:          StatusCode: \\d+\n)?"
                + "          ResponseTemplates:\n            application/json: '(.*)'$").matcher(template);
        Map<String, String> bodies = new TreeMap<>();
        while (m.find()) {
            bodies.put(m.group(1), m.group(2).replace("''", "'"));
        }
        assertTrue(bodies.size() >= 20, "read the template's gateway responses: " + bodies.keySet());
        return bodies;
    }

    /** Local mode's front door answers with the deployed gateway's own bodies, not copies that drift. */
    @Test
    void theFrontDoorsRefusalsAreTheTemplatesGatewayResponses() throws Exception {
        Map<String, String> gateway = gatewayResponses();
        assertEquals(gateway.get("INVALID_API_KEY"), JsonErrors.FORBIDDEN);
        assertEquals(gateway.get("MISSING_AUTHENTICATION_TOKEN"), LocalApi.NOT_FOUND);
        assertEquals(gateway.get("REQUEST_TOO_LARGE"), JsonErrors.body(413));
        assertEquals(gateway.get("INTEGRATION_FAILURE"), JsonErrors.FUNCTION_FAILED);
        assertEquals(JsonErrors.FORBIDDEN, send("GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").body());
        assertEquals(LocalApi.NOT_FOUND, send("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").body());
    }

    /** What the HTTP server refuses by itself, by status: the code a client can act on. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "GARBAGE\\r\\n\\r\\n | 400 | bad_request",
            "GET /status HTTP/9.9\\r\\nHost: x\\r\\n\\r\\n | 505 | http_version_not_supported"})
    void unreadableRequestsGetACodeAndWhatToDo(String request, int status, String error) throws Exception {
        Raw reply = send(request.replace("\\r\\n", "\r\n"));
        assertJsonError(reply, status);
        assertEquals(error, WireFixture.JSON.readTree(reply.body()).path("error").asText(), reply.body());
        assertFalse(reply.body().contains("{\"message\""), "never API Gateway's bare default shape: " + reply.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GARBAGE\r\n\r\n",
            "GET /status HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
            "GET /sta tus?x HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /status HTTP/9.9\r\nHost: x\r\n\r\n",
            "GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "POST /start HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            "POST /start HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    })
    void malformedHttpGetsAJsonErrorNeverHtml(String request) throws Exception {
        Raw reply = send(request);
        // 505 is the one 5xx: an HTTP version the server does not speak (not an EC2 failure).
        assertTrue(reply.status() >= 400 && reply.status() < 500 || reply.status() == 505, reply.head());
        assertJsonError(reply, reply.status());
        assertEquals(0, local.sim.totalCalls());
    }

    @Test
    void aHugeUriIs414InJson() throws Exception {
        Raw reply = send("GET /status?x=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertJsonError(reply, 414);
        assertEquals("uri_too_long", WireFixture.JSON.readTree(reply.body()).path("error").asText());
    }

    @Test
    void hugeHeadersAre431InJson() throws Exception {
        Raw reply = send("GET /status HTTP/1.1\r\nHost: x\r\nx-api-key: " + WireFixture.KEY + "\r\nX-Big: "
                + "b".repeat(20_000) + "\r\n\r\n");
        assertJsonError(reply, 431);
        assertEquals("headers_too_large", WireFixture.JSON.readTree(reply.body()).path("error").asText());
        assertEquals(0, local.sim.totalCalls());
    }

    @Test
    void aBodyOverTenMegabytesIsRefusedBeforeItIsRead() throws Exception {
        // Announce 256 MB and send none of it: the answer must come without waiting for the body.
        long started = System.nanoTime();
        Raw reply = send("POST /start HTTP/1.1\r\nHost: x\r\nContent-Length: 268435456\r\n\r\n");
        assertJsonError(reply, 413);
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos());
        assertEquals(0, local.sim.totalCalls());
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws Exception {
        StringBuilder request = new StringBuilder("POST /start HTTP/1.1\r\nHost: x\r\nx-api-key: " + WireFixture.KEY
                + "\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = "z".repeat(1 << 20);
        for (int i = 0; i < 11; i++) {
            request.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        request.append("0\r\n\r\n");
        assertJsonError(send(request.toString()), 413);
        assertEquals(0, local.sim.calls("StartInstances"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"post", "Post", "PoST", "STOP", "PUT", "DELETE"})
    void aLowercaseOrUnknownMethodIsNeverCarriedOut(String method) throws Exception {
        local.call("POST", "/start?wait=5");
        local.sim.resetCalls();
        Raw reply = send(method + " /stop HTTP/1.1\r\nHost: x\r\nx-api-key: " + WireFixture.KEY
                + "\r\nConnection: close\r\n\r\n");
        assertJsonError(reply, 405);
        assertEquals(0, local.sim.calls("StopInstances"));
        assertEquals("running", local.sim.state().stateOf(local.box.instanceId()));
    }

    @Test
    void headIsAnsweredWithoutABody() throws Exception {
        Raw reply = send("HEAD /status HTTP/1.1\r\nHost: x\r\nx-api-key: " + WireFixture.KEY
                + "\r\nConnection: close\r\n\r\n");
        assertEquals(405, reply.status(), reply.head());
        assertEquals("", reply.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "test-key-012345678", "test-key-01234567890", "TEST-KEY-0123456789"})
    void onlyTheExactKeyOpensTheDoor(String key) throws Exception {
        Raw reply = send("GET /status HTTP/1.1\r\nHost: x\r\nx-api-key: " + key + "\r\nConnection: close\r\n\r\n");
        assertJsonError(reply, 403);
        JsonNode json = WireFixture.JSON.readTree(reply.body());
        assertEquals("invalid_api_key", json.path("error").asText());
        assertTrue(json.path("message").asText().contains("x-api-key header")
                && json.path("message").asText().contains("ApiKeyValueCommand"), "which header, where to read the key");
        assertEquals(0, local.sim.totalCalls());
    }

    @Test
    void slowClientsDoNotBlockAKeyedStatus() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket(local.api.url().getHost(), local.api.url().getPort());
                OutputStream out = s.getOutputStream();
                // Half a request head, or a promised body that never comes.
                out.write((i % 2 == 0 ? "GET /status HTTP/1.1\r\nHost: x\r\n"
                        : "POST /start HTTP/1.1\r\nHost: x\r\nx-api-key: " + WireFixture.KEY
                        + "\r\nContent-Length: 1000\r\n\r\nabc").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                slow.add(s);
            }
            long started = System.nanoTime();
            WireFixture.Reply status = local.call("GET", "/status");
            assertEquals(200, status.status());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "a keyed /status answers at once");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void theHelpsFaultExamplesAreWhatAUserSees() throws Exception {
        // --fault StartInstances=InsufficientInstanceCapacityx3 is absorbed by the SDK's 3 retries; x4 shows.
        for (int times : new int[] {3, 4}) {
            try (WireFixture fresh = new WireFixture(Duration.ZERO, Duration.ZERO)) {
                fresh.sim.faults().inject("StartInstances", "InsufficientInstanceCapacity", times);
                WireFixture.Reply start = fresh.call("POST", "/start");
                assertEquals(times == 3 ? 202 : 503, start.status(), start.json().toString());
            }
        }
        try (WireFixture fresh = new WireFixture(Duration.ZERO, Duration.ZERO)) {
            fresh.sim.faults().inject("StartInstances", "VcpuLimitExceeded", 1);
            assertEquals("vcpu_quota", fresh.call("POST", "/start").field("error"));
        }
    }

    @Test
    void aClientThatStopsSendingIsTimedOut() throws Exception {
        try (LocalApi quick = LocalApi.start(0, WireFixture.KEY, local.ec2, local.box, dev.gpubox.box.Notifier.NONE,
                Duration.ofMillis(500));
             Socket s = new Socket(quick.url().getHost(), quick.url().getPort())) {
            s.setSoTimeout(10_000);
            // Half a head, then silence; and a promised body that never comes.
            s.getOutputStream().write("GET /status HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            Raw reply = RawHttp.read(s.getInputStream(), false);
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "closed after the idle timeout");
            assertTrue(reply.status() < 0 || reply.body().startsWith("{"), reply.head() + reply.body());
        }
    }

    @Test
    void aTakenPortIsABindExceptionLocalModeCanExplain() {
        org.junit.jupiter.api.Assertions.assertThrows(java.net.BindException.class,
                () -> LocalApi.start(local.api.url().getPort(), WireFixture.KEY, local.ec2, local.box));
    }

    @Test
    void headRequestsLogNothing() throws Exception {
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream capture = new java.io.PrintStream(printed, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            for (String path : new String[] {"/status", "/start", "/nowhere", LocalApi.SCHEDULED_STOP_PATH}) {
                send("HEAD " + path + " HTTP/1.1\r\nHost: x\r\nx-api-key: " + WireFixture.KEY
                        + "\r\nConnection: close\r\n\r\n");
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMalformedQueryIsABadRequestNotAGatewayError() throws Exception {
        Raw reply = send("POST /start?wait=%zz HTTP/1.1\r\nHost: x\r\nx-api-key: " + WireFixture.KEY
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(reply.status() == 400, reply.head() + reply.body());
        assertJsonError(reply, 400);
        assertNull(reply.header("Server"), "no server banner");
    }

    @Test
    void scheduledStopSweepIsABoolean() throws Exception {
        Raw bad = send("POST " + LocalApi.SCHEDULED_STOP_PATH + "?sweep=maybe HTTP/1.1\r\nHost: x\r\nx-api-key: "
                + WireFixture.KEY + "\r\nConnection: close\r\n\r\n");
        assertJsonError(bad, 400);
        assertEquals(0, local.sim.totalCalls());
        WireFixture.Reply sweep = local.call("POST", LocalApi.SCHEDULED_STOP_PATH + "?sweep=1");
        assertEquals("Sweep ran.", sweep.field("message"));
    }

    @Test
    void withoutAManagedTagTheScheduledStopNamesTheFlagNotTheFunctionsVariable() throws Exception {
        BoxConfig untagged = new BoxConfig(local.box.instanceId(), local.box.eipAllocationId(), null, null, "ubuntu");
        try (LocalApi api = LocalApi.start(0, WireFixture.KEY, local.ec2, untagged)) {
            for (String path : new String[] {LocalApi.SCHEDULED_STOP_PATH, LocalApi.SCHEDULED_STOP_PATH + "?sweep=1"}) {
                Raw reply = RawHttp.send(api.url(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nx-api-key: "
                        + WireFixture.KEY + "\r\nConnection: close\r\n\r\n");
                assertEquals(500, reply.status(), reply.body());
                assertTrue(reply.body().contains("local mode has no --managed-tag KEY=VALUE"), reply.body());
                assertFalse(reply.body().contains("on this function"), reply.body());
            }
        }
        assertEquals(0, local.sim.totalCalls(), "refused before any EC2 call");
    }
}
