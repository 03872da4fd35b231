package dev.gpubox.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API (2018-06-01) as a runtime client sees it inside Lambda, on a loopback port: it
 * hands out queued events from {@code /runtime/invocation/next} and records what comes back on
 * {@code /response}, {@code /error} and {@code /init/error}. Also records PUTs to {@code /presigned/...},
 * standing in for the pre-signed S3 URL a CloudFormation custom resource answers.
 */
final class FakeRuntimeApi implements AutoCloseable {
    static final String PREFIX = "/2018-06-01/runtime/";
    static final String FUNCTION_ARN = "arn:aws:lambda:us-west-2:123456789012:function:gpubox-test";

    /** What the runtime client sent back for one invocation: a response or an error, and its body. */
    record Outcome(String requestId, String kind, String errorType, String body) {
        boolean isResponse() {
            return kind.equals("response");
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final BlockingQueue<String[]> pending = new LinkedBlockingQueue<>();
    private final Map<String, BlockingQueue<Outcome>> outcomes = new ConcurrentHashMap<>();
    final BlockingQueue<Outcome> initErrors = new LinkedBlockingQueue<>();
    final List<String> presignedPuts = new CopyOnWriteArrayList<>();

    FakeRuntimeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext(PREFIX, this::runtime);
        server.createContext("/presigned/", exchange -> {
            presignedPuts.add(exchange.getRequestMethod() + " " + read(exchange));
            reply(exchange, 200, "");
        });
        server.start();
    }

    /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    String presignedUrl() {
        return "http://" + address() + "/presigned/stack-delete?X-Amz-Signature=0123";
    }

    /** Queues one event; the outcome for it arrives on {@link #await}. */
    String enqueue(String event) {
        String id = UUID.randomUUID().toString();
        outcomes.put(id, new LinkedBlockingQueue<>());
        pending.add(new String[] {id, event});
        return id;
    }

    Outcome await(String requestId, Duration timeout) throws InterruptedException {
        return outcomes.get(requestId).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runtime(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
        String body = read(exchange);
        if (path.equals("invocation/next") && exchange.getRequestMethod().equals("GET")) {
            String[] next;
            try {
                next = pending.take(); // Lambda holds the request open until there is an event
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            var headers = exchange.getResponseHeaders();
            headers.add("Lambda-Runtime-Aws-Request-Id", next[0]);
            headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
            headers.add("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN);
            headers.add("Lambda-Runtime-Trace-Id", "Root=1-6567a1b2-0123456789abcdef01234567;Sampled=0");
            headers.add("Content-Type", "application/json");
            reply(exchange, 200, next[1]);
            return;
        }
        if (path.equals("init/error")) {
            initErrors.add(new Outcome(null, "init/error", errorType(exchange), body));
            reply(exchange, 202, "{\"status\":\"OK\"}");
            return;
        }
        String[] parts = path.split("/"); // invocation/{id}/response | invocation/{id}/error
        if (parts.length == 3 && parts[0].equals("invocation") && outcomes.containsKey(parts[1])) {
            outcomes.get(parts[1]).add(new Outcome(parts[1], parts[2], errorType(exchange), body));
            reply(exchange, 202, "{\"status\":\"OK\"}");
            return;
        }
        reply(exchange, 404, "{\"errorMessage\":\"unknown route " + path + "\"}");
    }

    private static String errorType(HttpExchange exchange) {
        return exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
    }

    private static String read(HttpExchange exchange) throws IOException {
        return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
