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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI answers before it calls anything (usage mistakes, a missing login, a bad URL or variable, each
 * with exit 2), and what it makes of each error the API can answer (a stand-in API on loopback).
 */
class CliTest {
    @TempDir
    Path home;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private final Map<String, String> env = new HashMap<>();
    /** The requests the stand-in API received, as "METHOD /path". */
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer api;

    private int run(String... args) {
        env.put("HOME", home.toString());
        err.reset();
        return new Cli(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    /** A stand-in API that answers every request with {@code status} and {@code body}; returns its URL. */
    private String api(int status, String body) throws IOException {
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + (query == null ? "" : "?" + query));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        api.start();
        return "http://127.0.0.1:" + api.getAddress().getPort();
    }

    @AfterEach
    void stopApi() {
        if (api != null) {
            api.stop(0);
        }
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutLoginEveryCommandSaysHowToLogIn() {
        assertEquals(2, run("status"));
        assertEquals("gpubox status: not logged in (no " + home.resolve(".config/gpubox/config") + ")."
                + " Run ./gpubox login first (it reads the stack's outputs), or ./gpubox login --url URL --key KEY.\n", err());
    }

    @Test
    void usageMistakesExitTwoAndSayWhatToType() {
        assertEquals(2, run("snooze"));
        assertTrue(err().contains("./gpubox snooze 23:30"), err());
        assertEquals(2, run("login", "--url", "http://127.0.0.1:1"));
        assertTrue(err().contains("give both --url and --key"), err());
        assertEquals(0, run("help"));
    }

    @Test
    void helpPrintsTheLaptopUsageAndEveryCommandsHelpStaysOffTheApi() throws IOException {
        String url = api(200, "{\"state\":\"stopped\",\"message\":\"GPU box is stopped.\"}");
        assertEquals(0, run("login", "--url", url, "--key", "k"), err());
        requests.clear();
        for (String help : List.of("help", "--help", "-h")) {
            out.reset();
            assertEquals(0, run(help));
            assertTrue(out().startsWith("usage: ./gpubox COMMAND"), out());
            assertTrue(out().contains("\n  ./gpubox up ") && out().contains("\n  ./gpubox deploy "), out());
        }
        for (String command : List.of("login", "up", "down", "status", "snooze", "rotate-key")) {
            for (String flag : List.of("--help", "-h")) {
                out.reset();
                assertEquals(0, run(command, flag), command + " " + flag + ": " + err());
                assertTrue(out().startsWith("usage:\n  ./gpubox " + command + " "), out());
                assertFalse(out().contains("./gpubox deploy"), "only " + command + "'s lines: " + out());
            }
        }
        out.reset();
        assertEquals(0, run("snooze", "23:30", "--help"));
        assertTrue(out().startsWith("usage:\n  ./gpubox snooze "), out());
        assertTrue(out().contains("snooze 90m") && out().contains("snooze off"), out());
        assertEquals(List.of(), requests, "no --help reached the API (snooze --help was sent as a time; up --help started the box)");
    }

    @Test
    void anUnknownCommandSaysSoAndExitsTwo() {
        out.reset();
        assertEquals(2, run("upp"));
        assertEquals("gpubox: unknown command 'upp'; ./gpubox help lists them.\n", err());
        assertEquals("", out(), "not the whole usage in reply to a typo");
    }

    @Test
    void snoozeTakesMinutesOrHoursAsTheApiDoes() throws IOException {
        String url = api(200, "{\"state\":\"running\",\"message\":\"GPU box stays on.\"}");
        assertEquals(0, run("login", "--url", url, "--key", "k"), err());
        requests.clear();
        assertEquals(0, run("snooze", "90m"), err());
        assertEquals(0, run("snooze", "45min"), err());
        assertEquals(0, run("snooze", "2h"), err());
        assertEquals(0, run("snooze", "23:30"), err());
        assertEquals(0, run("snooze", "off"), err());
        assertEquals(List.of("POST /snooze?minutes=90", "POST /snooze?minutes=45", "POST /snooze?minutes=120",
                "POST /snooze?until=23%3A30", "DELETE /snooze"), requests);
        requests.clear();
        assertEquals(2, run("snooze", "30"));
        assertEquals("gpubox snooze: '30' is not a time: say 30m for minutes from now, or a clock time such as 23:30.\n", err());
        assertEquals(List.of(), requests, "a bare number is not sent as until=30");
    }

    /**
     * A port that accepts every connection but never says {@code SSH-2.0-} (a captive portal or a firewall
     * that answers for every address) is not sshd: up keeps waiting, and reports sshd only once it greets.
     */
    @Test
    void upWaitsForSshdsGreetingNotAnAcceptedConnection() throws Exception {
        String box = "{\"state\":\"running\",\"elasticIpAttached\":true,\"elasticIp\":\"203.0.113.10\","
                + "\"ssh\":\"ssh -i ~/.ssh/k.pem ubuntu@203.0.113.10\"}";
        String url = api(200, "{\"state\":\"running\",\"message\":\"GPU box is running.\",\"box\":" + box + "}");
        assertEquals(0, run("login", "--url", url, "--key", "k"), err());
        try (SilentPort port = new SilentPort()) {
            env.put("GPUBOX_SSH_PROBE", "127.0.0.1:" + port.port());
            env.put("GPUBOX_POLL_MS", "200");
            java.util.concurrent.CompletableFuture<Integer> up = java.util.concurrent.CompletableFuture.supplyAsync(() -> run("up"));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (port.accepted() < 2 && System.nanoTime() < deadline && !up.isDone()) {
                Thread.sleep(50);
            }
            assertFalse(up.isDone(), "up went on after a connection that never greeted: " + out());
            assertTrue(port.accepted() >= 2, "up tried again: " + port.accepted());
            assertFalse(out().contains("sshd answers"), out());
            assertFalse(Files.exists(home.resolve(".ssh/config")), "no ssh config before sshd greets");
            port.greet("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n");
            assertEquals(0, up.get(30, java.util.concurrent.TimeUnit.SECONDS), err());
            assertTrue(out().contains("  sshd answers on 127.0.0.1:" + port.port()), out());
        }
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Accepts every connection and stays silent until {@link #greet} (then sends that line to each new one). */
    static final class SilentPort implements AutoCloseable {
        private final java.net.ServerSocket socket = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<java.net.Socket> held = new CopyOnWriteArrayList<>();
        private volatile String greeting;
        private final Thread thread = new Thread(() -> {
            try {
                while (true) {
                    java.net.Socket s = socket.accept();
                    String line = greeting;
                    if (line == null) {
                        held.add(s); // open and silent, as a proxy that accepts for every address
                    } else {
                        try (s) {
                            s.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                }
            } catch (IOException closed) {
                // closed by the test
            }
        }, "silent-port");

        SilentPort() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return held.size();
        }

        void greet(String line) {
            greeting = line;
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void theConfigFileFollowsXdgConfigHome() {
        assertEquals(Path.of("/x/gpubox/config"), CliConfig.file(Map.of("XDG_CONFIG_HOME", "/x", "HOME", "/h")));
        assertEquals(Path.of("/h/.config/gpubox/config"), CliConfig.file(Map.of("HOME", "/h")));
    }

    @Test
    void aUrlWithoutSchemeOrHostIsRefusedAndNotSaved() {
        Path config = CliConfig.file(Map.of("HOME", home.toString()));
        for (String url : List.of("127.0.0.1:3917", "localhost:3917", "http://127.0.0.1:3917/a b", "ftp://x/",
                "http:///nohost", "")) {
            assertEquals(2, run("login", "--url", url, "--key", "k"), url);
            assertTrue(err().startsWith("gpubox login: '" + url + "' is not"), err());
            assertTrue(err().contains("--url http://127.0.0.1:3917"), err());
            assertFalse(err().contains("\tat "), "no stack trace: " + err());
            assertFalse(Files.exists(config), "nothing saved for " + url);
        }
    }

    @Test
    void aBadUrlSavedEarlierSaysLogInAgainInsteadOfCrashing() throws IOException {
        Path config = CliConfig.file(Map.of("HOME", home.toString()));
        for (String url : List.of("localhost:3917", "http://127.0.0.1:3917/a b")) {
            Files.createDirectories(config.getParent());
            Files.writeString(config, "url=" + url + "\nkey=k\n");
            assertEquals(2, run("status"), url);
            assertTrue(err().startsWith("gpubox status: the saved API URL"), err());
            assertTrue(err().contains("Run ./gpubox login again."), err());
            assertFalse(err().contains("\tat "), "no stack trace: " + err());
        }
    }

    @Test
    void badVariablesStopUpBeforeItStartsTheBox() throws IOException {
        String url = api(200, "{\"state\":\"stopped\",\"message\":\"GPU box is stopped.\"}");
        assertEquals(0, run("login", "--url", url, "--key", "k"), err());
        requests.clear();
        for (String probe : List.of("2222", "127.0.0.1:abc", ":22", "h:70000")) {
            env.put("GPUBOX_SSH_PROBE", probe);
            assertEquals(2, run("up"), probe);
            assertEquals("gpubox up: GPUBOX_SSH_PROBE='" + probe + "' is not host:port (e.g. 127.0.0.1:2222).\n", err());
        }
        env.put("GPUBOX_SSH_PROBE", "127.0.0.1:2222");
        for (String poll : List.of("fast", "0", "-5")) {
            env.put("GPUBOX_POLL_MS", poll);
            assertEquals(2, run("up"), poll);
            assertTrue(err().startsWith("gpubox up: GPUBOX_POLL_MS='" + poll + "' is not a number"), err());
        }
        assertEquals(List.of(), requests, "no request reached the API, least of all POST /start");
    }

    @Test
    void eachApiErrorGetsItsOwnAdviceAndExitStatus() throws IOException {
        record Case(int status, String code, int exit, String advice) { }
        for (Case c : List.of(
                new Case(503, "ec2_unavailable", 4, "EC2 itself is busy (not a capacity problem): run the command again in half a minute."),
                new Case(403, "account_pending_verification", 4, "AWS is still verifying your new account; wait for AWS's email"),
                new Case(500, "misconfigured", 1, "the stack is set up wrongly (the message names the missing permission"
                        + " or setting): fix template.yaml or the stack's parameters and redeploy with ./gpubox deploy"),
                new Case(403, "vcpu_quota", 1, "ask for a higher 'Running On-Demand G and VT instances' quota"),
                new Case(409, "budget_reached", 1, "to start it before the month ends, raise MonthlyBudgetUsd:"
                        + " ./gpubox deploy --parameter-overrides MonthlyBudgetUsd=N"),
                new Case(409, "spot_interrupted", 1, "nothing to do: AWS restarts the Spot box when capacity returns;"
                        + " ./gpubox status shows when it runs again."),
                new Case(403, "", 1, "the API refused the key: run ./gpubox login again."))) {
            stopApi();
            String url = api(c.status(), "{\"error\":\"" + c.code() + "\",\"message\":\"The API's words.\"}");
            run("login", "--url", url, "--key", "k"); // saves, then its status check fails as the API says
            assertEquals(c.exit(), run("down"), c.code());
            assertTrue(err().startsWith("gpubox down: The API's words.\nNext: " + c.advice()), c.code() + ": " + err());
        }
    }
}
