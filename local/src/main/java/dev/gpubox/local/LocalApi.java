package dev.gpubox.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.ProxyRequestContext;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.RequestIdentity;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.ErrorCode;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.Quote;
import dev.gpubox.functions.AttachEipHandler;
import dev.gpubox.functions.PanelHandler;
import dev.gpubox.functions.ProxyHandler;
import dev.gpubox.functions.Route;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.functions.SnoozeHandler;
import dev.gpubox.functions.SshHandler;
import dev.gpubox.functions.StartHandler;
import dev.gpubox.functions.StatusHandler;
import dev.gpubox.functions.StopHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A local copy of the deployed API's front door: each HTTP request becomes the API Gateway REST proxy
 * event AWS would send, goes to the same handler class template.yaml deploys for that path, and the reply
 * is written back. Like API Gateway it refuses a missing or wrong {@code x-api-key} with 403
 * {@code invalid_api_key} before any handler runs, refuses a body over 10 MB before reading it, and
 * answers everything in JSON with the template's gateway-response bodies — including what the HTTP server
 * refuses by itself ({@link JsonErrors}).
 *
 * <p>The server is Jetty 12's core (no servlets): it reads request heads asynchronously, so slow clients
 * hold no worker thread, and it has the limits and timeouts a gateway needs.
 */
public final class LocalApi implements AutoCloseable {
    /** Path → the handler template.yaml binds to it (LocalRoutesTest checks the two agree). */
    public static final Map<String, Class<?>> ROUTES = Map.of(
            "/status", StatusHandler.class,
            "/start", StartHandler.class,
            "/stop", StopHandler.class,
            "/eip", AttachEipHandler.class,
            "/snooze", SnoozeHandler.class,
            "/schedule/pause", dev.gpubox.functions.SchedulePauseHandler.class,
            "/ssh", SshHandler.class,
            PanelHandler.PATH, PanelHandler.class);
    /** Routes that, like the template's {@code ApiKeyRequired: false} events, are served without a key. */
    static final java.util.Set<String> KEYLESS = java.util.Set.of(PanelHandler.PATH);
    /** Not an API route in AWS (Scheduler invokes the function); here it fires the nightly stop by hand. */
    public static final String SCHEDULED_STOP_PATH = "/local/scheduled-stop";
    /** template.yaml's ScheduledStopFunction Timeout: the budget the deployed function runs with. */
    public static final Duration SCHEDULED_STOP_TIMEOUT = Duration.ofSeconds(120);
    /** API Gateway's payload limit. */
    static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
    /** API Gateway's limit on the request line and headers together (10,240 bytes). */
    static final int MAX_HEADER_BYTES = 10 * 1024;
    /** A connection that sends nothing for this long is closed (API Gateway's integration timeout is 29 s). */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    static final int MAX_WORKERS = 64;
    static final String NOT_FOUND = "{\"error\":\"not_found\",\"message\":\"No such route; " + Route.SEE_DOCS + "\"}";

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Jetty logs its start and stop at INFO; local mode's console is for gpubox's own lines.
        if (System.getProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        }
    }
    private static final Map<String, String> JSON_TYPE = Map.of("Content-Type", "application/json");

    /** What one path answers; {@code keyed} ones need the x-api-key first. */
    record Endpoint(boolean keyed, Responder responder) {
    }

    @FunctionalInterface
    interface Responder {
        Reply respond(Request request, String body) throws IOException;
    }

    record Reply(int status, Map<String, String> headers, String body) {
        static Reply json(int status, String body) {
            return new Reply(status, JSON_TYPE, body);
        }
    }

    private final byte[] apiKey;
    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Notifier notifier;
    /** The spend ledger and monthly cap the handlers share (in memory in local mode; off when not given). */
    private final MonthlyBudget budget;
    private final Server server;
    /** Where it listened, kept from the start: Jetty forgets the bound port once it stops. */
    private volatile URI url;
    /** The route table: one line per path. */
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    /** Replies the gateway gives by itself, injected for tests and by --gateway-fault. */
    private final GatewayFaults gatewayFaults = new GatewayFaults();
    /** Keyed API requests per route: what the usage plan's daily quota counts. */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> keyedCalls = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * What reached the front door, as a gateway's access log would hold it: the request line and every header
     * but the key's (its value is the one thing a log must not hold). The newest {@value #REQUEST_LOG_SIZE}.
     */
    private final java.util.Deque<String> requestLog = new java.util.concurrent.ConcurrentLinkedDeque<>();
    static final int REQUEST_LOG_SIZE = 1000;

    private LocalApi(String apiKey, Ec2Client ec2, BoxConfig config, Notifier notifier, MonthlyBudget budget,
                     Server server) {
        this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
        this.ec2 = ec2;
        this.config = config;
        this.notifier = notifier;
        this.budget = budget;
        this.server = server;
        ROUTES.forEach((path, type) -> endpoints.put(path, new Endpoint(!KEYLESS.contains(path), handlerFor(path, type))));
        endpoints.put(SCHEDULED_STOP_PATH, new Endpoint(true, this::fireScheduledStop));
    }

    /** @throws java.net.BindException when the port is taken */
    public static LocalApi start(int port, String apiKey, Ec2Client ec2, BoxConfig config) throws IOException {
        return start(port, apiKey, ec2, config, Notifier.NONE);
    }

    /** @throws java.net.BindException when the port is taken */
    public static LocalApi start(int port, String apiKey, Ec2Client ec2, BoxConfig config, Notifier notifier)
            throws IOException {
        return start(port, apiKey, ec2, config, notifier, IDLE_TIMEOUT);
    }

    /** @param idleTimeout how long a connection may send nothing before it is closed (tests shorten it) */
    static LocalApi start(int port, String apiKey, Ec2Client ec2, BoxConfig config, Notifier notifier,
                          Duration idleTimeout) throws IOException {
        return start(port, apiKey, ec2, config, notifier, MonthlyBudget.off(config), idleTimeout);
    }

    /** With a spend ledger and monthly cap: /status shows the month, /start and the sweep enforce the cap. */
    public static LocalApi start(int port, String apiKey, Ec2Client ec2, BoxConfig config, Notifier notifier,
                                 MonthlyBudget budget) throws IOException {
        return start(port, apiKey, ec2, config, notifier, budget, IDLE_TIMEOUT);
    }

    private static LocalApi start(int port, String apiKey, Ec2Client ec2, BoxConfig config, Notifier notifier,
                                  MonthlyBudget budget, Duration idleTimeout) throws IOException {
        QueuedThreadPool workers = new QueuedThreadPool(MAX_WORKERS, 4);
        workers.setName("gpubox-local-api");
        workers.setDaemon(true);
        Server server = new Server(workers);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setResponseHeaderSize(16 * 1024);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setIdleTimeout(idleTimeout.toMillis());
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setIdleTimeout(idleTimeout.toMillis());
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrors());
        server.setStopTimeout(2_000);
        LocalApi api = new LocalApi(apiKey, ec2, config, notifier, budget, server);
        server.setHandler(api.new FrontDoor());
        try {
            server.start();
            api.url(); // remembered while the port is known
        } catch (Exception e) {
            stopQuietly(server);
            // Jetty wraps the port clash ("Failed to bind to ..."); callers tell it apart by its type.
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof BindException bind) {
                    throw bind;
                }
            }
            throw e instanceof IOException io ? io : new IOException("the local API could not start: " + e.getMessage(), e);
        }
        return api;
    }

    /**
     * Runs the scheduled-stop function once, as Scheduler invokes it, with the deployed function's budget.
     *
     * @param asIfNightlyNow true: as the nightly run with ShutdownTime set to this minute (what "fire the
     *                       nightly stop by hand" means); false: the five-minute sweep with the stack's settings
     * @return the function's report; throws when it failed, as the Lambda invocation would
     */
    public String runScheduledStop(boolean asIfNightlyNow) throws IOException {
        if (config.managedTagKey() == null || config.managedTagValue() == null) {
            // The function's own refusal names its environment variable "on this function"; here the user
            // set up local mode, so name the flag they can give.
            throw new BoxException(ErrorCode.MISCONFIGURED, "local mode has no --managed-tag KEY=VALUE (or"
                    + " GPUBOX_MANAGED_TAG), so the scheduled stop cannot tell which boxes are gpubox's. Restart"
                    + " ./gpubox local with --managed-tag, e.g. --managed-tag gpubox:stack=gpubox.");
        }
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
        new ScheduledStopHandler(ec2, effective, notifier, clock, dev.gpubox.box.Sleeper.REAL, budget).handleRequest(
                new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out,
                new LocalContext("ScheduledStopFunction", SCHEDULED_STOP_TIMEOUT));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The gateway's own replies to inject (a test and local facility; see {@link GatewayFaults}). */
    public GatewayFaults gatewayFaults() {
        return gatewayFaults;
    }

    /** Keyed requests to the API's routes so far (the panel page and local-only paths are not counted). */
    public int keyedCalls() {
        return keyedCalls.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum();
    }

    /** The front door's log (see {@link #requestLog}), oldest first. */
    public List<String> requestLog() {
        return List.copyOf(requestLog);
    }

    /** Keyed requests to one route so far, e.g. {@code /status}. */
    public int keyedCalls(String path) {
        var n = keyedCalls.get(path);
        return n == null ? 0 : n.get();
    }

    public URI url() {
        if (url == null) {
            url = URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
        }
        return url;
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception ignored) {
            // stopping anyway
        }
    }

    /** The one Jetty handler: look the path up, check size and key before reading, then answer. */
    private final class FrontDoor extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            log(request);
            String path = request.getHttpURI().getDecodedPath();
            Endpoint endpoint = path == null ? null : endpoints.get(path);
            if (endpoint == null) {
                write(response, callback, Reply.json(404, NOT_FOUND));
            } else if (request.getLength() > MAX_BODY_BYTES) {
                write(response, callback, Reply.json(413, JsonErrors.body(413)));
            } else if (endpoint.keyed() && !keyMatches(request.getHeaders().get("x-api-key"))) {
                write(response, callback, Reply.json(403, JsonErrors.FORBIDDEN));
            } else if (ROUTES.containsKey(path) && endpoint.keyed() && gatewayFault(path) instanceof Reply fault) {
                write(response, callback, fault);
            } else {
                // The body is read without holding a worker thread, and never beyond the limit.
                // BLOCKING: the answer makes EC2 calls, so Jetty runs it on a worker, never a selector thread.
                Content.Source.asByteArrayAsync(request, MAX_BODY_BYTES, Promise.Invocable.from(
                        Invocable.InvocationType.BLOCKING, (bytes, failed) -> {
                            if (failed != null) {
                                write(response, callback, Reply.json(413, JsonErrors.body(413)));
                                return;
                            }
                            write(response, callback,
                                    answer(endpoint, request, new String(bytes, StandardCharsets.UTF_8)));
                        }));
            }
            return true;
        }
    }

    private void log(Request request) {
        StringBuilder line = new StringBuilder(request.getMethod()).append(' ').append(request.getHttpURI());
        for (HttpField field : request.getHeaders()) {
            if (!"x-api-key".equalsIgnoreCase(field.getName())) {
                line.append(" | ").append(field.getName()).append(": ").append(field.getValue());
            }
        }
        requestLog.addLast(line.toString());
        while (requestLog.size() > REQUEST_LOG_SIZE) {
            requestLog.pollFirst();
        }
    }

    /** Counts a keyed API request, and answers it as the gateway would by itself if a fault is injected; else null. */
    private Reply gatewayFault(String path) {
        keyedCalls.computeIfAbsent(path, p -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        GatewayFaults.Fault fault = gatewayFaults.take();
        if (fault == null) {
            return null;
        }
        if (fault.bare()) {
            return Reply.json(fault.status(), GatewayFaults.BARE_BODY); // a stack from before GatewayResponses
        }
        // The deployed gateway's own bodies (template.yaml's GatewayResponses): QUOTA_EXCEEDED, or a 5xx's api_unavailable.
        int status = fault.status();
        return Reply.json(status, status == 429 ? JsonErrors.QUOTA_EXCEEDED : JsonErrors.FUNCTION_FAILED);
    }

    /** Constant-time in the key's content, so timing does not tell a caller how much of a guess was right. */
    private boolean keyMatches(String given) {
        return given != null && MessageDigest.isEqual(apiKey, given.getBytes(StandardCharsets.UTF_8));
    }

    private Reply answer(Endpoint endpoint, Request request, String body) {
        try {
            return endpoint.responder().respond(request, body);
        } catch (BadQuery bad) {
            return Reply.json(400, "{\"error\":\"bad_request\",\"message\":\"" + bad.getMessage() + "\"}");
        } catch (Throwable e) {
            // What API Gateway answers when a Lambda integration fails; the details stay in this log.
            System.err.println("gpubox local: " + Quote.excerpt(request.getHttpURI().getPath(), 60) + " failed: " + e);
            return Reply.json(502, JsonErrors.FUNCTION_FAILED);
        }
    }

    private Responder handlerFor(String path, Class<?> type) {
        RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> handler =
                instantiate(type, ec2, config, notifier, budget);
        return (request, body) -> {
            APIGatewayProxyResponseEvent response = handler.handleRequest(toEvent(request, path, body),
                    new LocalContext(type.getSimpleName()));
            return new Reply(response.getStatusCode(), response.getHeaders() == null ? Map.of() : response.getHeaders(),
                    response.getBody() == null ? "" : response.getBody());
        };
    }

    /**
     * The handler's (Ec2Client, BoxConfig, Notifier, MonthlyBudget) constructor where it reads the ledger
     * (status, start), else the (Ec2Client, BoxConfig, Notifier) one every API handler has.
     */
    private static RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> instantiate(
            Class<?> type, Ec2Client ec2, BoxConfig config, Notifier notifier, MonthlyBudget budget) {
        try {
            if (type == PanelHandler.class) {
                return GatewayProxy.of(new PanelHandler()); // the page needs no AWS client
            }
            try {
                return GatewayProxy.of((ProxyHandler) type.getConstructor(Ec2Client.class, BoxConfig.class,
                        Notifier.class, MonthlyBudget.class).newInstance(ec2, config, notifier, budget));
            } catch (NoSuchMethodException readsNoLedger) {
                // falls through to the common constructor
            }
            return GatewayProxy.of((ProxyHandler) type
                    .getConstructor(Ec2Client.class, BoxConfig.class, Notifier.class).newInstance(ec2, config, notifier));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type + " lacks the (Ec2Client, BoxConfig, Notifier) constructor", e);
        }
    }

    private Reply fireScheduledStop(Request request, String body) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            return new Reply(405, Map.of("Content-Type", "application/json", "Allow", "POST"),
                    "{\"error\":\"method_not_allowed\",\"message\":\"Use POST to fire the scheduled stop.\"}");
        }
        boolean sweep = booleanParam(query(request).get("sweep"), "sweep");
        int status = 200;
        String message;
        String report = null;
        try {
            report = runScheduledStop(!sweep);
            message = sweep ? "Sweep ran." : "Scheduled stop ran.";
        } catch (RuntimeException failed) {
            // The deployed function fails the invocation here; its message is gpubox's own, one line.
            status = 500;
            message = Quote.excerpt(failed.getMessage(), 300);
        }
        ObjectNode reply = JSON.createObjectNode();
        if (status != 200) {
            reply.put("error", "scheduled_stop_failed"); // local mode's trigger: the Lambda invocation would fail
        }
        reply.put("message", message);
        reply.set("report", report == null ? null : JSON.readTree(report));
        return Reply.json(status, JSON.writeValueAsString(reply));
    }

    /** {@code sweep=true|false} (also 1/0, yes/no); absent is false. */
    static boolean booleanParam(String raw, String name) {
        if (raw == null || raw.isBlank()) {
            return false;
        }
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new BadQuery(name + " must be true or false.");
        };
    }

    /** A query string that is not valid URL encoding: 400, as API Gateway does not pass it on either. */
    private static final class BadQuery extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadQuery(String message) {
            super(message, null, false, false);
        }
    }

    private static Map<String, List<String>> multiQuery(Request request) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        String raw = request.getHttpURI().getQuery();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                try {
                    String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    multi.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                } catch (IllegalArgumentException malformed) {
                    throw new BadQuery("The query string is not valid URL encoding.");
                }
            }
        }
        return multi;
    }

    /** Single-value view: the last value wins, as in API Gateway's queryStringParameters. */
    private static Map<String, String> query(Request request) {
        Map<String, String> single = new LinkedHashMap<>();
        multiQuery(request).forEach((k, v) -> single.put(k, v.get(v.size() - 1)));
        return single;
    }

    private APIGatewayProxyRequestEvent toEvent(Request request, String path, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, List<String>> multiHeaders = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.put(field.getName(), field.getValue());
            multiHeaders.computeIfAbsent(field.getName(), x -> new ArrayList<>()).add(field.getValue());
        }
        Map<String, List<String>> multiQuery = multiQuery(request);
        Map<String, String> query = query(request);
        String sourceIp = request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() : "127.0.0.1";
        ProxyRequestContext context = new ProxyRequestContext()
                .withAccountId("000000000000")
                .withApiId("local")
                .withStage("local")
                .withRequestId(UUID.randomUUID().toString())
                .withResourcePath(path)
                .withHttpMethod(request.getMethod())
                .withPath("/local" + path)
                .withProtocol(request.getConnectionMetaData().getProtocol())
                .withIdentity(new RequestIdentity().withApiKey(new String(apiKey, StandardCharsets.UTF_8))
                        .withSourceIp(sourceIp).withUserAgent(request.getHeaders().get(HttpHeader.USER_AGENT)));
        return new APIGatewayProxyRequestEvent()
                .withResource(path)
                .withPath(path)
                .withHttpMethod(request.getMethod())
                .withHeaders(headers)
                .withMultiValueHeaders(multiHeaders)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withMultiValueQueryStringParameters(multiQuery.isEmpty() ? null : multiQuery)
                .withRequestContext(context)
                .withBody(body.isEmpty() ? null : body)
                .withIsBase64Encoded(false);
    }

    private static void write(Response response, Callback callback, Reply reply) {
        response.setStatus(reply.status());
        reply.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        Content.Sink.write(response, true, reply.body(), callback);
    }
}
