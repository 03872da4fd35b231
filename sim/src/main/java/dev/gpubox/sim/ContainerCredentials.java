package dev.gpubox.sim;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The credentials endpoint SnapStart gives a restored function: the SDK's default chain finds
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, asks this loopback
 * URL with the token in {@code Authorization}, and signs with what it returns. Served by the benchmark so the
 * first invoke after priming pays for that fetch as a restore does.
 */
public final class ContainerCredentials implements AutoCloseable {
    private final HttpServer server;
    private final String token = UUID.randomUUID().toString();
    private final AtomicInteger served = new AtomicInteger();

    public ContainerCredentials() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/credentials", exchange -> {
            boolean authorized = token.equals(exchange.getRequestHeaders().getFirst("Authorization"));
            String body = authorized ? "{\"AccessKeyId\":\"ASIABENCH\",\"SecretAccessKey\":\"bench-secret\","
                    + "\"Token\":\"bench-session\",\"Expiration\":\""
                    + Instant.now().plus(6, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS) + "\"}"
                    : "{\"message\":\"bad token\"}";
            if (authorized) {
                served.incrementAndGet();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(authorized ? 200 : 403, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    /** What a child needs in its environment to fetch credentials from here (and no key pair of its own). */
    public Map<String, String> environment() {
        return Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
    }

    /** How many authorized fetches were answered: proof the child used this path. */
    public int served() {
        return served.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
