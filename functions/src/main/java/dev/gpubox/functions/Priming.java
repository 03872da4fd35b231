package dev.gpubox.functions;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * SnapStart priming for the API functions: before Lambda snapshots an initialised function, one request of
 * the function's own route is run end to end — event JSON parsed, EC2 requests marshalled and SigV4-signed,
 * EC2's XML replies unmarshalled, the reply built and written — so the classes and code of that path are
 * loaded and compiled in the snapshot, and the first tap after a restore does not pay for them.
 *
 * <p>Nothing of it is left behind: the EC2 it talks to is {@link CannedEc2} in memory (no socket, no
 * connection pool), the credentials are a throwaway static pair on a throwaway client that is closed here,
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
        String region = System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION")
                : System.getProperty("aws.region", "us-east-1");
        try (Ec2Client ec2 = Ec2Client.builder()
                .httpClient(cannedEc2)
                .region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming")))
                .build()) {
            BoxConfig config = new BoxConfig(CannedEc2.BOX_ID, CannedEc2.ALLOCATION_ID, "gpubox:stack", "priming",
                    BoxConfig.DEFAULT_SSH_USER, BoxConfig.fromEnvironment().settings());
            ApiHandler twin = handler.getClass().getConstructor(Ec2Client.class, BoxConfig.class, Notifier.class)
                    .newInstance(ec2, config, Notifier.NONE);
            ApiReply reply = null;
            for (int i = 0; i < RUNS; i++) {
                reply = twin.handle(event(route), null);
                reply.toJson();
                prepareUrlConnection();
            }
            return reply;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(handler.getClass() + " lacks the (Ec2Client, BoxConfig, Notifier)"
                    + " constructor every API handler has", e);
        }
    }

    /**
     * The container client's HTTP layer up to, not including, the connect: an HttpURLConnection opened and
     * configured for an EC2 request, then dropped. No socket is opened (that happens on execute), and no TLS
     * is set up, so no session or random state of it is in the snapshot.
     */
    private static void prepareUrlConnection() {
        try (SdkHttpClient http = UrlConnectionHttpClient.builder().build()) {
            http.prepareRequest(HttpExecuteRequest.builder().request(SdkHttpFullRequest.builder()
                    .method(SdkHttpMethod.POST).uri(URI.create("https://ec2.us-east-1.amazonaws.com/"))
                    .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8").build())
                    .build()).abort();
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
        event.put("httpMethod", route.methods().get(0));
        event.put("headers", Map.of("x-api-key", "priming", "Accept", "application/json"));
        event.put("queryStringParameters", route == Route.SNOOZE ? Map.of("minutes", "30") : null);
        event.put("requestContext", Map.of("identity", Map.of("apiKey", "priming", "sourceIp", "127.0.0.1")));
        event.put("body", null);
        event.put("isBase64Encoded", false);
        return Json.bytes(event);
    }
}
