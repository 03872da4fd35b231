package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.functions.PanelHandler;
import dev.gpubox.local.RawHttp.Raw;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A bounded fuzz campaign against local mode over raw loopback sockets (so malformed HTTP is possible),
 * with a fixed seed: well-formed and broken requests, right, wrong and missing keys, odd methods, paths,
 * query values and headers, and injected EC2 errors. It asserts what docs/api.md promises of every reply:
 * <ol>
 *   <li>no crash: no 500 {@code internal_error} or 502 from the front door, and the server still answers;</li>
 *   <li>no HTML and no non-JSON body;</li>
 *   <li>no Java class name or stack frame in any body;</li>
 *   <li>no 5xx outside the documented EC2 mappings (docs/api.md's table; 505 for an HTTP version the
 *       server does not speak);</li>
 *   <li>no EC2 call for a request without the key, counted at the simulator's wire;</li>
 *   <li>every {@code message} one line of at most 400 characters, whatever was sent;</li>
 *   <li>every refusal (4xx, 5xx) keeps the error contract: an {@code error} code and a {@code message}, as the
 *       deployed gateway's responses do (issue 14 point 6), never a bare {@code {"message": …}}.</li>
 * </ol>
 * The default is 2,000 requests; {@code -Dgpubox.fuzz.requests=10000 -Dgpubox.fuzz.seed=N} runs a longer
 * campaign (docs/api.md gives the command). Figures go to {@code local/target/fuzz-report.txt}.
 */
class LocalApiFuzzTest {
    static final int REQUESTS = Integer.getInteger("gpubox.fuzz.requests", 2_000);
    static final String UNANSWERED = "unanswered (other than a scheduled-stop run within its budget)";
    static final String ERRORS_WITHOUT_CODE = "refusals without an error code and a message";
    static final long SEED = Long.getLong("gpubox.fuzz.seed", 20261129L);
    /** A package-qualified name, an exception or error class, or a stack frame. */
    static final Pattern JAVA_INTERNALS = Pattern.compile(
            "\\b(java|javax|jdk|sun|com\\.sun|org\\.eclipse|org\\.slf4j|com\\.fasterxml|software\\.amazon|dev\\.gpubox)"
                    + "\\.[a-z]\\w*\\.|\\w+Exception\\b|\\b(NoClassDefFound|OutOfMemory|StackOverflow|Linkage|Assertion)Error"
                    + "|\\tat |\\.java:\\d+\\)");
    static final String[] METHODS = {"GET", "POST", "DELETE", "PUT", "HEAD", "OPTIONS", "PATCH", "post", "get",
            "Delete", "TRACE", "CONNECT", "G\u00c9T", "", "X".repeat(300)};
    static final String[] PATHS = {"/status", "/start", "/stop", "/eip", "/snooze", LocalApi.SCHEDULED_STOP_PATH,
            "/", "/STATUS", "/status/", "//status", "/status;x", "/%73tatus", "/%zz", "/..%2fstatus",
            "/status%00", "/local", "/x".repeat(2_000), "/\u00e9t\u00e9", "*", "http://evil/status", "/status#f"};
    static final String[] PARAMS = {"wait", "force", "minutes", "until", "sweep", "x", "", "wait%00"};
    static final String[] VALUES = {"0", "1", "26", "-1", "abc", "1%0A2", "%zz", "true", "false", "yes", "maybe",
            "1000000000000000", "99999999999999999999999", "23:30", "25:61", "2026-11-29T23:00", "00:00", "60",
            "%E2%80%AE", "%1B%5B31m", "<script>", "7".repeat(10_000), "", "%", "+", "1e9", "0x10"};

    final Random random = new Random(SEED);

    @Test
    void localModeKeepsTheErrorContractUnderFuzzing() throws Exception {
        List<Ec2ErrorTableTest.Row> table = Ec2ErrorTableTest.rows();
        Set<String> documented5xx = table.stream().filter(r -> r.status() >= 500).map(Ec2ErrorTableTest.Row::error)
                .collect(Collectors.toSet());
        Map<String, Integer> figures = new LinkedHashMap<>();
        for (String k : List.of("requests", "replies", "no reply (closed, or none within 30 s)", "keyless requests",
                "EC2 faults injected", "crashes", "HTML bodies", "non-JSON bodies", "Java names or frames",
                "5xx outside the documented mappings", "EC2 calls without the key", "messages not one short line",
                ERRORS_WITHOUT_CODE, UNANSWERED)) {
            figures.put(k, 0);
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        try (WireFixture local = new WireFixture(Duration.ofMillis(30), Duration.ofMillis(30))) {
            for (int i = 0; i < REQUESTS; i++) {
                if (random.nextInt(12) == 0) {
                    Ec2ErrorTableTest.Row row = table.get(random.nextInt(table.size()));
                    String action = pick(new String[] {"DescribeInstances", "StartInstances", "StopInstances",
                            "DescribeAddresses", "AssociateAddress", "CreateTags", "DeleteTags", "*"});
                    // The code itself (e.g. AccessDeniedException) is EC2's word, not a leak: the message does not repeat it.
                    local.sim.faults().inject(action, row.ec2Status(), row.code(), "A fuzzed EC2 failure.",
                            1 + random.nextInt(5));
                    bump(figures, "EC2 faults injected");
                }
                Request request = nextRequest();
                boolean armed = local.sim.faults().armed();
                int ec2Before = local.sim.totalCalls();
                // Long enough for any reply (the SDK's retries back off for seconds), so a late EC2 call of
                // one request is never counted against the next.
                long sentAt = System.nanoTime();
                Raw reply = RawHttp.send(local.api.url(), request.bytes(), 30_000);
                Duration waited = Duration.ofNanos(System.nanoTime() - sentAt);
                int ec2Calls = local.sim.totalCalls() - ec2Before;
                bump(figures, "requests");
                if (!request.keyed()) {
                    bump(figures, "keyless requests");
                    if (ec2Calls > 0) {
                        fail(figures, "EC2 calls without the key", examples, request, reply);
                    }
                }
                if (reply.status() < 0) {
                    // Closed without an answer, or still working (a nightly stop retrying injected faults
                    // within its 120 s budget): let it finish, so its EC2 calls are not the next request's.
                    bump(figures, "no reply (closed, or none within 30 s)");
                    if (!stopRunWithinItsBudget(request, waited)) {
                        fail(figures, UNANSWERED, examples, request, reply);
                    }
                    awaitQuiet(local);
                    if (examples.size() < 20) {
                        String sent = new String(request.bytes(), StandardCharsets.ISO_8859_1);
                        examples.add("no reply: " + sent.substring(0, Math.min(80, sent.length())).replace("\r\n", "\\r\\n"));
                    }
                    continue;
                }
                bump(figures, "replies");
                statuses.merge(reply.status(), 1, Integer::sum);
                check(reply, request, armed, documented5xx, figures, examples);
                if (i % 200 == 199) {
                    local.sim.faults().clear();
                    WireFixture.Reply health = local.call("GET", "/status");
                    if (health.status() != 200) {
                        fail(figures, "crashes", examples, request, reply);
                    }
                }
            }
            local.sim.faults().clear();
            if (local.call("GET", "/status").status() != 200) {
                bump(figures, "crashes");
            }
        }
        String report = "gpubox local-mode fuzz: seed " + SEED + "\n"
                + figures.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n"))
                + "\nstatuses: " + statuses + "\n" + String.join("\n", examples) + "\n";
        Files.writeString(Path.of("target", "fuzz-report.txt"), report);
        System.out.print(report);
        for (String property : List.of("crashes", "HTML bodies", "non-JSON bodies", "Java names or frames",
                "5xx outside the documented mappings", "EC2 calls without the key", "messages not one short line",
                ERRORS_WITHOUT_CODE, UNANSWERED)) {
            assertEquals(0, figures.get(property), property + "\n" + report);
        }
        assertEquals(REQUESTS, figures.get("requests"));
        assertEquals(REQUESTS, figures.get("replies") + figures.get("no reply (closed, or none within 30 s)"));
    }

    private void check(Raw reply, Request request, boolean faultsArmed, Set<String> documented5xx,
                       Map<String, Integer> figures, List<String> examples) {
        String body = reply.body();
        String type = reply.header("Content-Type");
        if (reply.status() == 200 && request.path().equals(PanelHandler.PATH)) {
            // The phone panel's page and its assets are content, not errors: only its errors must be JSON.
            if (JAVA_INTERNALS.matcher(body).find()) {
                fail(figures, "Java names or frames", examples, request, reply);
            }
            return;
        }
        if (body.toLowerCase(java.util.Locale.ROOT).contains("<html") || (type != null && type.contains("html"))) {
            fail(figures, "HTML bodies", examples, request, reply);
        }
        if (JAVA_INTERNALS.matcher(body).find()) {
            fail(figures, "Java names or frames", examples, request, reply);
        }
        JsonNode json = null;
        if (!body.isEmpty()) {
            try {
                json = WireFixture.JSON.readTree(body);
            } catch (IOException notJson) {
                // counted below
            }
            if (json == null || !json.isObject() || type == null || !type.startsWith("application/json")) {
                fail(figures, "non-JSON bodies", examples, request, reply);
            }
        } else if (!request.head() && reply.status() != 204) {
            fail(figures, "non-JSON bodies", examples, request, reply);
        }
        String message = json == null ? "" : json.path("message").asText();
        if (message.length() > 400 || message.chars().anyMatch(Character::isISOControl)) {
            fail(figures, "messages not one short line", examples, request, reply);
        }
        int status = reply.status();
        String error = json == null ? "" : json.path("error").asText();
        if (status >= 400 && json != null && (!error.matches("[a-z0-9_]+") || message.isBlank())) {
            fail(figures, ERRORS_WITHOUT_CODE, examples, request, reply);
        }
        // api_unavailable is the gateway's answer to a function that failed: in local mode, a handler crash.
        if (status == 500 && "internal_error".equals(error) || status >= 500 && (error.isEmpty()
                || "api_unavailable".equals(error))) {
            fail(figures, "crashes", examples, request, reply);
        } else if (status >= 500) {
            boolean mapped = documented5xx.contains(error);
            boolean protocol = status == 505 || status == 501;
            boolean failedStopRun = status == 500 && faultsArmed && request.path().equals(LocalApi.SCHEDULED_STOP_PATH);
            if (!mapped && !protocol && !failedStopRun) {
                fail(figures, "5xx outside the documented mappings", examples, request, reply);
            }
        }
    }

    /**
     * The one request allowed to go unanswered within the fuzzer's 30 s: a keyed POST that fires the
     * scheduled stop, still retrying injected EC2 failures within the function's own 120 s budget.
     */
    private static boolean stopRunWithinItsBudget(Request request, Duration waited) {
        return request.keyed() && request.path().equals(LocalApi.SCHEDULED_STOP_PATH)
                && new String(request.bytes(), 0, 5, StandardCharsets.ISO_8859_1).equals("POST ")
                && waited.compareTo(LocalApi.SCHEDULED_STOP_TIMEOUT) < 0;
    }

    private static void awaitQuiet(WireFixture local) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        int calls;
        do {
            calls = local.sim.totalCalls();
            Thread.sleep(1_000);
        } while (calls != local.sim.totalCalls() && System.nanoTime() < deadline);
    }

    private static void bump(Map<String, Integer> figures, String key) {
        figures.merge(key, 1, Integer::sum);
    }

    private static void fail(Map<String, Integer> figures, String key, List<String> examples, Request request, Raw reply) {
        bump(figures, key);
        if (examples.size() < 20) {
            String sent = new String(request.bytes(), StandardCharsets.ISO_8859_1);
            examples.add(key + ": " + sent.substring(0, Math.min(200, sent.length())).replace("\r\n", "\\r\\n")
                    + " -> " + reply.status() + " " + reply.body().substring(0, Math.min(200, reply.body().length())));
        }
    }

    record Request(byte[] bytes, boolean keyed, boolean head, String path) {
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    /** Mostly plausible requests with one or two things wrong; sometimes pure noise. */
    private Request nextRequest() {
        if (random.nextInt(25) == 0) {
            byte[] noise = new byte[1 + random.nextInt(400)];
            random.nextBytes(noise);
            return new Request(noise, false, false, "");
        }
        String method = random.nextInt(3) == 0 ? pick(METHODS) : switchMethod();
        String path = random.nextInt(4) == 0 ? pick(PATHS) : pick(new String[] {"/status", "/start", "/stop", "/eip",
                "/snooze", LocalApi.SCHEDULED_STOP_PATH});
        StringBuilder query = new StringBuilder();
        for (int n = random.nextInt(3); n > 0; n--) {
            query.append(query.isEmpty() ? "?" : "&").append(pick(PARAMS)).append(random.nextInt(6) == 0 ? "" : "=")
                    .append(pick(VALUES));
        }
        String version = random.nextInt(20) == 0 ? pick(new String[] {"HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTP/1.1x",
                "", "http/1.1"}) : "HTTP/1.1";
        StringBuilder head = new StringBuilder(method + " " + path + query + (version.isEmpty() ? "" : " " + version)
                + "\r\n");
        if (random.nextInt(10) != 0) {
            head.append("Host: 127.0.0.1\r\n");
        }
        int keyChoice = random.nextInt(10);
        boolean keyed = false;
        if (keyChoice < 6) {
            head.append("x-api-key: ").append(WireFixture.KEY).append("\r\n");
            keyed = true;
        } else if (keyChoice == 6) {
            head.append("x-api-key: ").append(WireFixture.KEY, 0, WireFixture.KEY.length() - 1).append("\r\n");
        } else if (keyChoice == 7) {
            head.append("X-API-KEY: ").append(WireFixture.KEY.toUpperCase(java.util.Locale.ROOT)).append("\r\n");
        } else if (keyChoice == 8) {
            head.append("x-api-key: ").append("k".repeat(random.nextInt(20_000))).append("\r\n");
        }
        for (int n = random.nextInt(3); n > 0; n--) {
            head.append(pick(new String[] {"X-Junk: " + "j".repeat(random.nextInt(12_000)), "Content-Type: text/html",
                    "Transfer-Encoding: chunked", "Content-Length: -1", "Content-Length: 99999999999",
                    "Expect: 100-continue", "Bad Header", ": empty", "X-Ctl: a\u0001b", "Accept: text/html"}))
                    .append("\r\n");
        }
        String body = random.nextInt(5) == 0 ? pick(new String[] {"{}", "{\"minutes\":5}", "x".repeat(5_000),
                "not json", "\u0000\u0001"}) : "";
        if (!body.isEmpty() && random.nextBoolean()) {
            head.append("Content-Length: ").append(body.length() + random.nextInt(3) - 1).append("\r\n");
        }
        head.append(random.nextInt(4) == 0 ? "" : "Connection: close\r\n").append("\r\n").append(body);
        String text = head.toString();
        // A key only counts as given when the request is a well-formed one the front door can read.
        return new Request(text.getBytes(StandardCharsets.UTF_8), keyed, method.equals("HEAD"), path);
    }

    private String switchMethod() {
        return pick(new String[] {"GET", "POST", "POST", "DELETE"});
    }
}
