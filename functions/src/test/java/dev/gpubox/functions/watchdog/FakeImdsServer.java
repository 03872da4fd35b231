package dev.gpubox.functions.watchdog;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small stand-in for the EC2 instance metadata service in IMDSv2 mode (the template sets
 * {@code HttpTokens: required}), on an ephemeral loopback port. Like the real one: {@code PUT
 * /latest/api/token} needs a TTL header of 1 to 21600 seconds and answers a token; {@code GET
 * /latest/meta-data/tags/instance/KEY} answers 401 without a token it gave, 404 for a tag the instance
 * does not have, else the tag's value. Every request is logged, so a test checks the token flow at the wire.
 */
final class FakeImdsServer implements AutoCloseable {
    static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    private static final String TAGS = "/latest/meta-data/tags/instance/";
    /** IPv4 loopback, whatever the JVM prefers: the watchdog tests let the script's curl reach only this. */
    private static final String LOOPBACK = "127.0.0.1";

    /** One request as it arrived: the headers that matter and the status it got. */
    record Request(String method, String path, String ttl, String token, int status) {
    }

    private final HttpServer server;
    private final Map<String, String> tags;
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final List<Request> log = new CopyOnWriteArrayList<>();

    private FakeImdsServer(Map<String, String> tags) throws IOException {
        this.tags = Map.copyOf(tags);
        server = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code tags} as the instance's tags. */
    static FakeImdsServer start(Map<String, String> tags) throws IOException {
        return new FakeImdsServer(tags);
    }

    /** The base URL, as {@code GPUBOX_IMDS} takes it (no trailing slash). */
    String url() {
        return "http://" + LOOPBACK + ":" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(log);
    }

    boolean issued(String token) {
        return token != null && tokens.contains(token);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String ttl = exchange.getRequestHeaders().getFirst(TTL_HEADER);
            String token = exchange.getRequestHeaders().getFirst(TOKEN_HEADER);
            String tag = path.startsWith(TAGS) ? path.substring(TAGS.length()) : null;
            String body;
            int status;
            if (path.equals("/latest/api/token")) {
                if (!method.equals("PUT")) {
                    status = 405;
                    body = "";
                } else if (!validTtl(ttl)) {
                    status = 400;
                    body = "";
                } else {
                    status = 200;
                    body = UUID.randomUUID().toString();
                    tokens.add(body);
                }
            } else if (token == null || !tokens.contains(token)) {
                status = 401;
                body = "";
            } else if (method.equals("GET") && tag != null && tags.containsKey(tag)) {
                status = 200;
                body = tags.get(tag);
            } else {
                status = 404;
                body = "";
            }
            log.add(new Request(method, path, ttl, token, status));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private static boolean validTtl(String ttl) {
        try {
            int seconds = Integer.parseInt(ttl);
            return seconds >= 1 && seconds <= 21_600;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
