package dev.gpubox.box;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.protocols.jsoncore.JsonWriter;

/**
 * AWS's Price List Query API ({@code pricing:GetProducts}): the shared-tenancy, Linux, no-pre-installed-software
 * on-demand price of one instance type in one region. It is served from us-east-1 whatever the stack's region.
 *
 * <p>Why not the SDK's PricingClient: the {@code software.amazon.awssdk:pricing} module is not published for
 * the SDK version the rest of gpubox uses (Maven Central stops at 2.40.2), and mixing SDK versions is
 * unsupported. GetProducts is one AWS-JSON-1.1 POST, so it is made here with the SDK's own parts: the default
 * credential chain, the SigV4 signer, the same lean HTTP client as every other call and the SDK's JSON
 * reader. As with the SDK's clients, {@code AWS_ENDPOINT_URL_PRICING} (or {@code AWS_ENDPOINT_URL}) points it
 * at a stand-in; nothing in gpubox sets an endpoint.
 */
public final class AwsPriceList implements PriceList {
    static final String REGION = "us-east-1";
    static final URI DEFAULT_ENDPOINT = URI.create("https://api.pricing.us-east-1.amazonaws.com");

    private final Supplier<SdkHttpClient> http;
    private final AwsCredentialsProvider credentials;
    private final URI endpoint;

    public AwsPriceList(Supplier<SdkHttpClient> http, AwsCredentialsProvider credentials, URI endpoint) {
        this.http = http;
        this.credentials = credentials;
        this.endpoint = endpoint;
    }

    /** The endpoint the SDK would use: its environment settings first, then the us-east-1 endpoint. */
    public static URI endpointFromEnvironment() {
        for (String name : List.of("AWS_ENDPOINT_URL_PRICING", "AWS_ENDPOINT_URL")) {
            String value = System.getenv(name);
            if (value != null && !value.isBlank()) {
                return URI.create(value.trim());
            }
        }
        String property = System.getProperty("aws.endpointUrlPricing");
        return property != null && !property.isBlank() ? URI.create(property.trim()) : DEFAULT_ENDPOINT;
    }

    @Override
    public Double onDemandUsdPerHour(String region, String instanceType) {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("regionCode", region);
        filters.put("instanceType", instanceType);
        filters.put("operatingSystem", "Linux");
        filters.put("tenancy", "Shared");
        filters.put("preInstalledSw", "NA");
        filters.put("capacitystatus", "Used");
        for (String product : getProducts(filters)) {
            Double usd = onDemandUsd(product);
            if (usd != null) {
                return usd;
            }
        }
        return null;
    }

    private List<String> getProducts(Map<String, String> filters) {
        JsonWriter json = JsonWriter.create();
        json.writeStartObject().writeFieldName("ServiceCode").writeValue("AmazonEC2")
                .writeFieldName("FormatVersion").writeValue("aws_v1")
                .writeFieldName("MaxResults").writeValue(10)
                .writeFieldName("Filters").writeStartArray();
        filters.forEach((field, value) -> json.writeStartObject().writeFieldName("Type").writeValue("TERM_MATCH")
                .writeFieldName("Field").writeValue(field).writeFieldName("Value").writeValue(value).writeEndObject());
        json.writeEndArray().writeEndObject();
        byte[] body = json.getBytes();
        SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
                .encodedPath(endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath())
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "AWSPriceListService.GetProducts")
                .putHeader("Content-Length", Integer.toString(body.length))
                .build();
        try {
            SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials.resolveCredentials())
                    .request(request).payload(ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "pricing")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, REGION));
            HttpExecuteResponse response = http.get().prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request()).contentStreamProvider(signed.payload().orElse(null)).build()).call();
            String text;
            if (response.responseBody().isEmpty()) {
                text = "";
            } else {
                try (InputStream in = response.responseBody().get()) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            if (response.httpResponse().statusCode() != 200) {
                throw new BoxException(ErrorCode.AWS_ERROR, "the Price List API answered HTTP "
                        + response.httpResponse().statusCode() + ": " + Quote.upstream(text));
            }
            JsonNode list = field(JsonNode.parser().parse(text), "PriceList");
            List<String> products = new ArrayList<>();
            if (list != null && list.isArray()) {
                list.asArray().stream().filter(JsonNode::isString).forEach(p -> products.add(p.asString()));
            }
            return products;
        } catch (IOException | SdkException | IllegalArgumentException e) {
            throw new BoxException(ErrorCode.AWS_ERROR, "the Price List API could not be read: " + e.getMessage());
        }
    }

    /** terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD of one product document; null when absent or 0. */
    static Double onDemandUsd(String product) {
        JsonNode onDemand = field(field(JsonNode.parser().parse(product), "terms"), "OnDemand");
        if (onDemand == null || !onDemand.isObject()) {
            return null;
        }
        for (JsonNode offer : onDemand.asObject().values()) {
            JsonNode dimensions = field(offer, "priceDimensions");
            if (dimensions == null || !dimensions.isObject()) {
                continue;
            }
            for (JsonNode dimension : dimensions.asObject().values()) {
                JsonNode usd = field(field(dimension, "pricePerUnit"), "USD");
                if (usd != null && usd.isString()) {
                    try {
                        double value = Double.parseDouble(usd.asString());
                        if (value > 0) {
                            return value;
                        }
                    } catch (NumberFormatException ignored) {
                        // not a price; look at the next dimension
                    }
                }
            }
        }
        return null;
    }

    private static JsonNode field(JsonNode node, String name) {
        return node == null || !node.isObject() ? null : node.asObject().get(name);
    }
}
