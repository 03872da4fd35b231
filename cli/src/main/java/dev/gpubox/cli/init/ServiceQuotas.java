package dev.gpubox.cli.init;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.regions.Region;

/**
 * The three Service Quotas calls init makes, as SigV4-signed JSON requests (the SDK's own signer and
 * credential chain). Hand-made because the SDK's {@code servicequotas} module is not in this build's
 * Maven repository; the calls are the documented JSON 1.1 API, nothing more. As the SDK does, the endpoint
 * comes from {@code AWS_ENDPOINT_URL_SERVICE_QUOTAS} or {@code AWS_ENDPOINT_URL} when set.
 */
final class ServiceQuotas {
    private static final String TARGET = "ServiceQuotasV20190624.";
    /** Headers java.net.http sets itself and refuses from the caller. */
    private static final Set<String> RESTRICTED = Set.of("host", "content-length");

    record Quota(String name, double value) {}

    record Change(String id, String status, double desiredValue) {}

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Region region;
    private final URI endpoint;
    private final AwsCredentialsProvider credentials;

    ServiceQuotas(Region region, URI endpoint, AwsCredentialsProvider credentials) {
        this.region = region;
        this.endpoint = endpoint;
        this.credentials = credentials;
    }

    static ServiceQuotas defaults(Region region, Map<String, String> env) {
        String url = env.getOrDefault("AWS_ENDPOINT_URL_SERVICE_QUOTAS", env.get("AWS_ENDPOINT_URL"));
        URI endpoint = URI.create(url != null && !url.isBlank() ? url
                : "https://servicequotas." + region.id() + ".amazonaws.com");
        return new ServiceQuotas(region, endpoint, DefaultCredentialsProvider.builder().build());
    }

    /** The account's quota; the AWS default where the account has none applied yet. */
    Quota quota(String serviceCode, String quotaCode) throws InitFailure {
        ObjectNode body = json.createObjectNode().put("ServiceCode", serviceCode).put("QuotaCode", quotaCode);
        JsonNode reply;
        try {
            reply = call("GetServiceQuota", body);
        } catch (NoSuchResource e) {
            reply = call("GetAWSDefaultServiceQuota", body);
        }
        JsonNode q = reply.path("Quota");
        return new Quota(q.path("QuotaName").asText(quotaCode), q.path("Value").asDouble());
    }

    List<Change> history(String serviceCode, String quotaCode) throws InitFailure {
        JsonNode reply = call("ListRequestedServiceQuotaChangeHistoryByQuota",
                json.createObjectNode().put("ServiceCode", serviceCode).put("QuotaCode", quotaCode));
        return reply.path("RequestedQuotas").valueStream().map(ServiceQuotas::change).toList();
    }

    Change requestIncrease(String serviceCode, String quotaCode, double desiredValue) throws InitFailure {
        return change(call("RequestServiceQuotaIncrease", json.createObjectNode()
                .put("ServiceCode", serviceCode).put("QuotaCode", quotaCode).put("DesiredValue", desiredValue))
                .path("RequestedQuota"));
    }

    private static Change change(JsonNode c) {
        return new Change(c.path("Id").asText(), c.path("Status").asText(), c.path("DesiredValue").asDouble());
    }

    private static final class NoSuchResource extends InitFailure {
        NoSuchResource(String message) {
            super(1, message);
        }
    }

    private JsonNode call(String operation, ObjectNode body) throws InitFailure {
        byte[] payload;
        try {
            payload = json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", TARGET + operation).build();
        var signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials.resolveCredentials())
                .request(unsigned).payload(ContentStreamProvider.fromByteArray(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "servicequotas")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        signed.request().forEachHeader((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode reply;
            try {
                reply = json.readTree(response.body().length == 0 ? "{}".getBytes() : response.body());
            } catch (IOException notJson) {
                throw new InitFailure(1, "Service Quotas " + operation + " at " + endpoint + ": HTTP "
                        + response.statusCode() + ", and not a JSON reply (is AWS_ENDPOINT_URL pointing elsewhere?)");
            }
            if (response.statusCode() / 100 != 2) {
                String type = reply.path("__type").asText("HTTP " + response.statusCode());
                type = type.substring(type.indexOf('#') + 1);
                String message = "Service Quotas " + operation + ": " + type + ": "
                        + reply.path("message").asText(reply.path("Message").asText(""));
                throw type.equals("NoSuchResourceException") ? new NoSuchResource(message) : new InitFailure(1, message);
            }
            return reply;
        } catch (IOException e) {
            throw new InitFailure(1, "Service Quotas " + operation + " at " + endpoint + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InitFailure(130, "interrupted");
        }
    }
}
