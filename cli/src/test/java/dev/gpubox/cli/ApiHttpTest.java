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
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests the CLI sends (ApiHttp, HttpURLConnection) as the API sees them: the method, the path and query,
 * the key, an empty POST body with Content-Length: 0; and what it makes of replies that are not the API's JSON
 * (a redirect is not followed, an HTML error page gives the status, an unreachable API exits 3).
 */
class ApiHttpTest {
    @TempDir
    Path home;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    /** "METHOD /path?query key=K length=L body=B" per request. */
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer api;

    private String api(int status, String contentType, String body, Map<String, String> headers) throws IOException {
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            byte[] sent = exchange.getRequestBody().readAllBytes();
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                    + (query == null ? "" : "?" + query) + " key=" + exchange.getRequestHeaders().getFirst("x-api-key")
                    + " length=" + exchange.getRequestHeaders().getFirst("Content-Length") + " body=" + sent.length);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", contentType);
            headers.forEach(exchange.getResponseHeaders()::add);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
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

    private void loggedIn(String url, String key) throws IOException {
        new CliConfig(Map.of(CliConfig.URL, url, CliConfig.KEY, key)).save(CliConfig.file(Map.of("HOME", home.toString())));
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return new Cli(Map.of("HOME", home.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachCommandSendsItsMethodPathAndKeyWithAnEmptyBody() throws IOException {
        loggedIn(api(200, "application/json", "{\"state\":\"stopped\",\"message\":\"GPU box is stopped · café.\"}", Map.of()),
                "the-key");
        assertEquals(0, run("status"), err());
        assertEquals("GPU box is stopped · café.\n", out(), "the message as sent, UTF-8");
        assertEquals(0, run("down"), err());
        assertEquals(0, run("snooze", "23:30"), err());
        assertEquals(0, run("snooze", "off"), err());
        assertEquals(List.of("GET /status key=the-key length=null body=0",
                "POST /stop key=the-key length=0 body=0", // API Gateway asks a POST for its length
                "POST /snooze?until=23%3A30 key=the-key length=0 body=0",
                "DELETE /snooze key=the-key length=null body=0"), requests);
    }

    @Test
    void aRedirectIsNotFollowed() throws IOException {
        String url = api(302, "text/html", "", Map.of("Location", "http://127.0.0.1:1/elsewhere"));
        loggedIn(url, "k");
        assertEquals(1, run("status"));
        assertTrue(err().startsWith("gpubox status: HTTP 302 from " + url + "/status\nNext: "), err());
        assertEquals(1, requests.size(), "one request, to the API only");
    }

    @Test
    void anHtmlErrorPageGivesTheStatusNotAStackTrace() throws IOException {
        String url = api(404, "text/html", "<html><body>Not Found</body></html>", Map.of());
        loggedIn(url, "k");
        assertEquals(1, run("down"));
        assertTrue(err().startsWith("gpubox down: HTTP 404 from " + url + "/stop\nNext: check ./gpubox status"), err());
        assertFalse(err().contains("\tat "), err());
    }

    @Test
    void anUnreachableApiExitsThreeAndSaysWhatToCheck() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens once it is closed
        }
        loggedIn("http://127.0.0.1:" + closed, "k");
        assertEquals(3, run("status"));
        assertTrue(err().startsWith("gpubox status: cannot reach the gpubox API at http://127.0.0.1:" + closed + " ("), err());
        assertTrue(err().contains("check that ./gpubox local is running."), err());
    }

    @Test
    void aKeyThatCannotBeAHeaderSaysLogInAgain() throws IOException {
        loggedIn(api(200, "application/json", "{}", Map.of()), "k");
        Path config = CliConfig.file(Map.of("HOME", home.toString()));
        Files.writeString(config, Files.readString(config).replace("key=k", "key=k\\nInjected: yes"));
        assertEquals(2, run("status"));
        assertTrue(err().startsWith("gpubox status: the saved API URL or key in "), err());
        assertTrue(err().contains("Run ./gpubox login again."), err());
        assertEquals(List.of(), requests, "nothing sent with a broken header");
    }
}
