package dev.gpubox.functions;

import dev.gpubox.box.AwsClients;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BudgetSettings;
import dev.gpubox.box.DynamoLedger;
import dev.gpubox.box.Ledger;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.OnDemandPrices;
import dev.gpubox.box.PriceList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * SnapStart priming for the API functions: before Lambda snapshots an initialised function, one request of
 * the function's own route is run end to end — event JSON parsed, EC2 requests marshalled and SigV4-signed,
 * EC2's XML replies unmarshalled, the reply built and written — so the classes and code of that path are
 * loaded and compiled in the snapshot, and the first tap after a restore does not pay for them.
 *
 * <p>Nothing of it is left behind: the EC2 it talks to is {@link CannedEc2} in memory (no socket, no
 * connection pool), the credentials are a throwaway static pair on a throwaway client that is closed here,
 * the TLS warm-up is an in-memory ClientHello on a throwaway context ({@link #warmTls()}),
 * and the container's own client is not used, so its default credential chain is first asked after the
 * restore (SnapStart then supplies the role's credentials through the container provider).
 */
final class Priming {
    /**
     * Requests run before the snapshot. One loads the path's classes; a few more let the JIT (C1, as Lambda
     * runs it) compile its hot methods, so the first real request runs compiled code too.
     */
    static final int RUNS = 12;

    private Priming() {
    }

    /** Runs one canned request of {@code handler}'s route through a twin of it; returns the twin's reply. */
    static ApiReply run(ApiHandler handler, Route route, CannedEc2 cannedEc2) {
        return run(handler, route, cannedEc2, new CannedDynamo());
    }

    /**
     * The same, the spend ledger's path included where the handler reads it (status, start): a throwaway
     * DynamoDB client on {@link CannedDynamo}, built like the container's.
     */
    static ApiReply run(ApiHandler handler, Route route, CannedEc2 cannedEc2, CannedDynamo cannedDynamo) {
        String region = System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION")
                : System.getProperty("aws.region", "us-east-1");
        try (Ec2Client ec2 = Ec2Client.builder()
                .httpClient(cannedEc2)
                .overrideConfiguration(AwsClients.ec2Overrides())
                .region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")))
                .build();
             DynamoDbClient dynamo = DynamoDbClient.builder()
                .httpClient(cannedDynamo)
                .region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")))
                .build();
             SdkHttpClient http = AwsClients.httpClient()) {
            BoxConfig config = new BoxConfig(CannedEc2.BOX_ID, CannedEc2.ALLOCATION_ID, "gpubox:stack", "priming",
                    BoxConfig.DEFAULT_SSH_USER, handler.box.settings());
            ApiHandler twin = twin(handler, ec2, config, dynamo);
            ApiReply reply = null;
            for (int i = 0; i < RUNS; i++) {
                reply = twin.handle(event(route), null);
                reply.toJson();
                prepareUrlConnection(http);
                if (i < 2) {
                    warmTls(); // each run reads the trust store again: twice loads and links the TLS path
                }
            }
            return reply;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(handler.getClass() + " lacks the (Ec2Client, BoxConfig, Notifier)"
                    + " constructor every API handler has", e);
        }
    }

    /** The handler's twin: with a canned ledger where it has the (…, MonthlyBudget) constructor. */
    private static ApiHandler twin(ApiHandler handler, Ec2Client ec2, BoxConfig config, DynamoDbClient dynamo)
            throws ReflectiveOperationException {
        try {
            BudgetSettings env = BudgetSettings.fromEnvironment();
            Ledger ledger = new DynamoLedger(() -> dynamo, "priming");
            MonthlyBudget budget = new MonthlyBudget(ledger, config,
                    new BudgetSettings("priming", env.monthlyBudgetUsd(), env.diskGib(), null),
                    new OnDemandPrices(ledger, PriceList.NONE, config.pricing(), null, java.time.Clock.systemUTC()));
            return handler.getClass().getConstructor(Ec2Client.class, BoxConfig.class, Notifier.class,
                    MonthlyBudget.class).newInstance(ec2, config, Notifier.NONE, budget);
        } catch (NoSuchMethodException readsNoLedger) {
            return handler.getClass().getConstructor(Ec2Client.class, BoxConfig.class, Notifier.class)
                    .newInstance(ec2, config, Notifier.NONE);
        }
    }

    /**
     * The container client's HTTP layer up to, not including, the connect: on a throwaway client built as the
     * container's is, an HttpURLConnection opened and configured for an EC2 request, then dropped. No socket
     * is opened (that happens on execute).
     */
    private static void prepareUrlConnection(SdkHttpClient http) {
        http.prepareRequest(HttpExecuteRequest.builder().request(SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST).uri(URI.create("https://ec2.us-east-1.amazonaws.com/"))
                .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8").build())
                .build()).abort();
    }

    /**
     * The client side of a TLS handshake, in memory: a throwaway SSLContext (its own SecureRandom, the JVM's
     * trust store) makes an SSLEngine for EC2's host and wraps its ClientHello into a buffer, so the TLS
     * provider, the trust store's certificates, the cipher suites and the key-share generation are loaded and
     * run before the snapshot. No socket: an SSLEngine only reads and writes buffers. The context, engine and
     * the key share they made are dropped here; the container client later makes its own. What this does not
     * warm: the server's half (certificate-chain check, key agreement), which needs a real peer.
     *
     * @return the ClientHello record, for the test that it was made
     */
    static byte[] warmTls() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, new SecureRandom());
            SSLEngine engine = context.createSSLEngine("ec2.us-east-1.amazonaws.com", 443);
            engine.setUseClientMode(true);
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.beginHandshake();
            engine.wrap(ByteBuffer.allocate(0), out);
            engine.closeOutbound();
            out.flip();
            byte[] hello = new byte[out.remaining()];
            out.get(hello);
            return hello;
        } catch (GeneralSecurityException | SSLException e) {
            // Priming is an optimisation: a JVM without TLS would fail its first real request, not this.
            return new byte[0];
        }
    }

    /** The canned box starts out as the route's action needs: stopped for /start, running otherwise. */
    static CannedEc2 ec2For(Route route) {
        return new CannedEc2(route == Route.START ? "stopped" : "running");
    }

    /** An API Gateway REST proxy event for the route, as the keyed API would send it. */
    static byte[] event(Route route) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("resource", route.path());
        event.put("path", route.path());
        // The pause's DELETE: the canned box has no StartTime to pause, and a resume walks the same path.
        event.put("httpMethod", route == Route.SCHEDULE_PAUSE ? "DELETE" : route.methods().get(0));
        event.put("headers", Map.of("x-api-key", "priming", "Accept", "application/json"));
        event.put("queryStringParameters", route == Route.SNOOZE ? Map.of("minutes", "30") : null);
        event.put("requestContext", Map.of("identity", Map.of("apiKey", "priming", "sourceIp", "127.0.0.1")));
        event.put("body", null);
        event.put("isBase64Encoded", false);
        return Json.bytes(event);
    }
}
