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
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
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
        assertEquals(2, run("upp"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage:"));
        assertEquals(0, run("help"));
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
                new Case(403, "", 1, "the API refused the key: run ./gpubox login again."))) {
            stopApi();
            String url = api(c.status(), "{\"error\":\"" + c.code() + "\",\"message\":\"The API's words.\"}");
            run("login", "--url", url, "--key", "k"); // saves, then its status check fails as the API says
            assertEquals(c.exit(), run("down"), c.code());
            assertTrue(err().startsWith("gpubox down: The API's words.\nNext: " + c.advice()), c.code() + ": " + err());
        }
    }
}
