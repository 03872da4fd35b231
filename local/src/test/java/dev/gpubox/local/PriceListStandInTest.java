package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.gpubox.box.AwsClients;
import dev.gpubox.box.AwsPriceList;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.MemoryLedger;
import dev.gpubox.box.OnDemandPrices;
import dev.gpubox.box.Pricing;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * The Price List API call through the shrunk jar, against a recording stand-in: moto 5.2 has no
 * {@code pricing} service (its GetProducts answers HTTP 500), so this server answers GetProducts as AWS
 * documents it — one product document per string in {@code PriceList} — and records every request.
 */
class PriceListStandInTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A g4dn.xlarge product as the Price List API returns it (trimmed to the fields gpubox reads, eu-west-1). */
    static final String PRODUCT = """
            {"product":{"productFamily":"Compute Instance","attributes":{"instanceType":"g4dn.xlarge",
            "regionCode":"eu-west-1","operatingSystem":"Linux","tenancy":"Shared","preInstalledSw":"NA",
            "capacitystatus":"Used"},"sku":"SKU1"},"serviceCode":"AmazonEC2",
            "terms":{"OnDemand":{"SKU1.JRTCKXETXF":{"priceDimensions":{"SKU1.JRTCKXETXF.6YS6EN2CT7":
            {"unit":"Hrs","pricePerUnit":{"USD":"0.5870000000"},"description":"$0.587 per On Demand Linux g4dn.xlarge Instance Hour"}},
            "sku":"SKU1","effectiveDate":"2026-11-01T00:00:00Z","offerTermCode":"JRTCKXETXF"}}}}""";

    HttpServer server;
    final List<Map<String, Object>> requests = new CopyOnWriteArrayList<>();
    volatile int status = 200;
    SdkHttpClient http;
    AwsPriceList priceList;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(Map.of("target", String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target")),
                    "authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                    "body", body));
            byte[] reply = (status == 200 ? JSON.writeValueAsString(Map.of("FormatVersion", "aws_v1",
                    "PriceList", List.of(PRODUCT))) : "{\"__type\":\"ThrottlingException\",\"message\":\"slow down\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
        http = AwsClients.httpClient();
        priceList = new AwsPriceList(() -> http, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE",
                "secret")), URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    @AfterEach
    void stop() {
        server.stop(0);
        http.close();
    }

    @Test
    void getProductsIsOneSignedCallToUsEast1AskingForTheRegionsSharedLinuxOnDemandPrice() throws Exception {
        assertEquals(0.587, priceList.onDemandUsdPerHour("eu-west-1", "g4dn.xlarge"), 1e-9);
        assertEquals(1, requests.size());
        Map<String, Object> request = requests.get(0);
        assertEquals("AWSPriceListService.GetProducts", request.get("target"));
        assertTrue(request.get("authorization").toString().contains("/us-east-1/pricing/aws4_request"),
                "signed for the Price List API in us-east-1: " + request.get("authorization"));
        JsonNode body = JSON.readTree(request.get("body").toString());
        assertEquals("AmazonEC2", body.path("ServiceCode").asText());
        Map<String, String> filters = new java.util.TreeMap<>();
        body.path("Filters").forEach(f -> {
            assertEquals("TERM_MATCH", f.path("Type").asText());
            filters.put(f.path("Field").asText(), f.path("Value").asText());
        });
        assertEquals(Map.of("regionCode", "eu-west-1", "instanceType", "g4dn.xlarge", "operatingSystem", "Linux",
                "tenancy", "Shared", "preInstalledSw", "NA", "capacitystatus", "Used"), filters);
    }

    @Test
    void aDayOfLookupsIsOneCallAndAnErrorFallsBackToTheTable() {
        MemoryLedger ledger = new MemoryLedger();
        OnDemandPrices prices = new OnDemandPrices(ledger, priceList, new Pricing(null), "eu-west-1", Clock.systemUTC());
        for (int i = 0; i < 5; i++) {
            assertEquals(0.587, prices.hourly("g4dn.xlarge"), 1e-9);
        }
        assertEquals(1, requests.size(), "read at most once a day");

        status = 400;
        BoxException e = assertThrows(BoxException.class, () -> priceList.onDemandUsdPerHour("eu-west-1", "g5.xlarge"));
        assertTrue(e.getMessage().contains("HTTP 400"), e.getMessage());
        assertEquals(1.006, prices.hourly("g5.xlarge"), 1e-9, "the built-in table when the list fails");
        assertNull(ledger.price("eu-west-1#g5.xlarge"), "a failure is not cached");
    }
}
