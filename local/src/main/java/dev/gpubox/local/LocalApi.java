package dev.gpubox.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.ProxyRequestContext;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.RequestIdentity;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import dev.gpubox.functions.ApiHandler;
import dev.gpubox.functions.AttachEipHandler;
import dev.gpubox.functions.PanelHandler;
import dev.gpubox.functions.Route;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.functions.SnoozeHandler;
import dev.gpubox.functions.StartHandler;
import dev.gpubox.functions.StatusHandler;
import dev.gpubox.functions.StopHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A local copy of the deployed API's front door: each HTTP request becomes the API Gateway REST proxy
 * event AWS would send, goes to the same handler class template.yaml deploys for that path, and the reply
 * is written back. Like API Gateway it refuses a missing or wrong {@code x-api-key} with 403
 * {@code {"message":"Forbidden"}} before any handler runs, and answers unknown paths as the template's
 * MISSING_AUTHENTICATION_TOKEN gateway response does.
 */
public final class LocalApi implements AutoCloseable {
    /** Path → the handler template.yaml binds to it (LocalApiTest checks the two agree). */
    public static final Map<String, Class<?>> ROUTES = Map.of(
            "/status", StatusHandler.class,
            "/start", StartHandler.class,
            "/stop", StopHandler.class,
            "/eip", AttachEipHandler.class,
            "/snooze", SnoozeHandler.class,
            PanelHandler.PATH, PanelHandler.class);
    /** Routes that, like the template's {@code ApiKeyRequired: false} events, are served without a key. */
    static final java.util.Set<String> KEYLESS = java.util.Set.of(PanelHandler.PATH);
    /** Not an API route in AWS (Scheduler invokes the function); here it fires the nightly stop by hand. */
    public static final String SCHEDULED_STOP_PATH = "/local/scheduled-stop";
    static final String NOT_FOUND = "{\"error\":\"not_found\",\"message\":\"No such route; " + Route.SEE_DOCS + "\"}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String apiKey;
    private final Map<String, RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>> handlers =
            new LinkedHashMap<>();
    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Notifier notifier;
    private final HttpServer server;
    private final ExecutorService executor;

    private LocalApi(HttpServer server, String apiKey, Ec2Client ec2, BoxConfig config, Notifier notifier) {
        this.server = server;
        this.apiKey = apiKey;
        this.ec2 = ec2;
        this.config = config;
        this.notifier = notifier;
        ROUTES.forEach((path, type) -> handlers.put(path, instantiate(type, ec2, config, notifier)));
        this.executor = Executors.newFixedThreadPool(8);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** The handler's (Ec2Client, BoxConfig, Notifier) constructor, which every API handler has. */
    private static RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> instantiate(
            Class<?> type, Ec2Client ec2, BoxConfig config, Notifier notifier) {
        try {
            if (type == PanelHandler.class) {
                return GatewayProxy.of(new PanelHandler()); // the page needs no AWS client
            }
            return GatewayProxy.of((ApiHandler) type
                    .getConstructor(Ec2Client.class, BoxConfig.class, Notifier.class).newInstance(ec2, config, notifier));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type + " lacks the (Ec2Client, BoxConfig, Notifier) constructor", e);
        }
    }

    /** @throws java.net.BindException when the port is taken */
    public static LocalApi start(int port, String apiKey, Ec2Client ec2, BoxConfig config) throws IOException {
        return start(port, apiKey, ec2, config, Notifier.NONE);
    }

    /** @throws java.net.BindException when the port is taken */
    public static LocalApi start(int port, String apiKey, Ec2Client ec2, BoxConfig config, Notifier notifier)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        LocalApi api = new LocalApi(server, apiKey, ec2, config, notifier);
        server.start();
        return api;
    }

    /**
     * Runs the scheduled-stop function once, as Scheduler invokes it.
     *
     * @param asIfNightlyNow true: as the nightly run with ShutdownTime set to this minute (what "fire the
     *                       nightly stop by hand" means); false: the five-minute sweep with the stack's settings
     * @return the function's report; throws when it failed, as the Lambda invocation would
     */
    public String runScheduledStop(boolean asIfNightlyNow) throws IOException {
        BoxConfig effective = config;
        java.time.Clock clock = java.time.Clock.systemUTC();
        if (asIfNightlyNow) {
            // ShutdownTime is the next whole minute, and the run sees that minute: a box started seconds
            // ago is due, and the stop never runs before its deadline.
            var zone = config.policy().zone();
            var nextMinute = java.time.ZonedDateTime.now(zone).plusMinutes(1).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            effective = config.withSettings(config.settings().withShutdownTime(
                    nextMinute.format(java.time.format.DateTimeFormatter.ofPattern("HH:mm"))));
            clock = java.time.Clock.offset(clock, java.time.Duration.between(clock.instant(), nextMinute.toInstant()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ScheduledStopHandler(ec2, effective, notifier, clock, dev.gpubox.box.Sleeper.REAL).handleRequest(
                new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out, new LocalContext("ScheduledStopFunction"));
        return out.toString(StandardCharsets.UTF_8);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        boolean known = handlers.containsKey(path) || path.equals(SCHEDULED_STOP_PATH);
        if (!known) {
            reply(exchange, 404, Map.of("Content-Type", "application/json"), NOT_FOUND);
            return;
        }
        if (!KEYLESS.contains(path) && !apiKey.equals(exchange.getRequestHeaders().getFirst("x-api-key"))) {
            reply(exchange, 403, Map.of("Content-Type", "application/json"), "{\"message\":\"Forbidden\"}");
            return;
        }
        try {
            if (path.equals(SCHEDULED_STOP_PATH)) {
                String query = exchange.getRequestURI().getQuery();
                fireScheduledStop(exchange, method, query == null || !query.contains("sweep=true"));
                return;
            }
            APIGatewayProxyRequestEvent event = toEvent(exchange, path, method, body);
            APIGatewayProxyResponseEvent response = handlers.get(path)
                    .handleRequest(event, new LocalContext(ROUTES.get(path).getSimpleName()));
            reply(exchange, response.getStatusCode(),
                    response.getHeaders() == null ? Map.of() : response.getHeaders(),
                    response.getBody() == null ? "" : response.getBody());
        } catch (RuntimeException e) {
            // What API Gateway answers when a Lambda integration fails.
            System.err.println("handler for " + path + " failed: " + e);
            reply(exchange, 502, Map.of("Content-Type", "application/json"), "{\"message\": \"Internal server error\"}");
        }
    }

    private void fireScheduledStop(HttpExchange exchange, String method, boolean asIfNightlyNow) throws IOException {
        if (!method.equals("POST")) {
            reply(exchange, 405, Map.of("Content-Type", "application/json", "Allow", "POST"),
                    "{\"error\":\"method_not_allowed\",\"message\":\"Use POST to fire the scheduled stop.\"}");
            return;
        }
        int status = 200;
        String message;
        String report = null;
        try {
            report = runScheduledStop(asIfNightlyNow);
            message = asIfNightlyNow ? "Scheduled stop ran." : "Sweep ran.";
        } catch (RuntimeException failed) {
            status = 500;
            message = failed.getMessage();
        }
        ObjectNode reply = JSON.createObjectNode().put("message", message);
        reply.set("report", report == null ? null : JSON.readTree(report));
        reply(exchange, status, Map.of("Content-Type", "application/json"), JSON.writeValueAsString(reply));
    }

    private APIGatewayProxyRequestEvent toEvent(HttpExchange exchange, String path, String method, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, List<String>> multiHeaders = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            headers.put(name, values.get(values.size() - 1));
            multiHeaders.put(name, values);
        });
        Map<String, String> query = new LinkedHashMap<>();
        Map<String, List<String>> multiQuery = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(k, v);
                multiQuery.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        String sourceIp = exchange.getRemoteAddress().getAddress().getHostAddress();
        ProxyRequestContext context = new ProxyRequestContext()
                .withAccountId("000000000000")
                .withApiId("local")
                .withStage("local")
                .withRequestId(UUID.randomUUID().toString())
                .withResourcePath(path)
                .withHttpMethod(method)
                .withPath("/local" + path)
                .withProtocol(exchange.getProtocol())
                .withIdentity(new RequestIdentity().withApiKey(apiKey).withSourceIp(sourceIp)
                        .withUserAgent(headers.getOrDefault("User-agent", null)));
        return new APIGatewayProxyRequestEvent()
                .withResource(path)
                .withPath(path)
                .withHttpMethod(method)
                .withHeaders(headers)
                .withMultiValueHeaders(multiHeaders)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withMultiValueQueryStringParameters(multiQuery.isEmpty() ? null : multiQuery)
                .withRequestContext(context)
                .withBody(body.isEmpty() ? null : body)
                .withIsBase64Encoded(false);
    }

    private static void reply(HttpExchange exchange, int status, Map<String, String> headers, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
