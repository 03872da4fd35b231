package dev.gpubox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CLI reads the API's replies without an ObjectMapper (ReplyJson): for every reply shape it reads, the tree
 * must be the one databind's readTree makes, so status, up and the error advice read the same fields as before.
 */
class ReplyJsonTest {
    /** A /status reply from local mode, as the CLI reads it (message, state, addresses, nested month, nulls). */
    static final String STATUS = """
            {"instanceId":"i-00000000000001000","name":"gpubox-local-gpu","instanceType":"g4dn.xlarge","state":"running",\
            "publicIp":"203.0.113.10","elasticIp":"203.0.113.10","elasticIpAttached":true,"launchTime":"2026-12-03T05:50:18.402Z",\
            "uptimeSeconds":2,"ssh":"ssh -i ~/.ssh/my-laptop.pem ubuntu@203.0.113.10","snoozedUntil":null,\
            "nextAutomaticStop":"2026-12-03T23:59:00Z","hourlyPriceUsd":0.526,"estimatedCostUsd":0.0,"timeZone":"UTC",\
            "schedule":null,"month":{"since":"2026-12-01T00:00:00Z","hours":0.0,"estimatedUsd":0.85,"budgetUsd":null},\
            "message":"GPU box gpubox-local-gpu (g4dn.xlarge) is running at 203.0.113.10, up 0 min (~$0.00); it stops at 23:59 UTC."}""";
    /** POST /start's reply: the box nested under "box", which up polls. */
    static final String STARTED = """
            {"result":"start_issued","message":"GPU box is starting (g4dn.xlarge).","box":{"instanceId":"i-1","state":"pending",\
            "publicIp":null,"elasticIpAttached":false}}""";
    /** An error as every handler answers it, with the retry hint some carry. */
    static final String ERROR = "{\"error\":\"wrong_state\",\"message\":\"The GPU box is still stopping; start it again in"
            + " about a minute.\",\"retryAfterSeconds\":30}";

    private static final ObjectMapper DATABIND = new ObjectMapper();

    private static JsonNode read(String body) {
        return ReplyJson.read(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyReplyShapeGivesDatabindsTree() throws Exception {
        for (String body : List.of(STATUS, STARTED, ERROR, API_GATEWAY_OWN, "[1,{\"a\":[true,false,null]},\"x\"]",
                "{\"big\":12345678901234567890123,\"long\":9007199254740993,\"neg\":-7,\"exp\":1e3,\"tiny\":-0.5}",
                "{\"text\":\"caf\\u00e9 \\\"quoted\\\" \\n line · 24h\",\"empty\":{},\"none\":[]}",
                "\"just a string\"", "42")) {
            assertEquals(DATABIND.readTree(body), read(body), body);
        }
    }

    /** API Gateway's own reply when the function cannot run: no gpubox error code, which is what triggers a retry. */
    static final String API_GATEWAY_OWN = "{\"message\": \"Internal server error\"}";

    @Test
    void theFieldsTheCliReadsAreThere() {
        assertEquals("running", read(STATUS).path("state").asText());
        assertEquals(true, read(STATUS).path("elasticIpAttached").asBoolean());
        assertEquals("203.0.113.10", read(STATUS).path("elasticIp").asText());
        assertEquals("pending", read(STARTED).path("box").path("state").asText());
        assertEquals(null, read(STARTED).path("box").path("publicIp").asText(null), "a JSON null is no address");
        assertEquals("wrong_state", read(ERROR).path("error").asText(""));
        assertEquals("", read(API_GATEWAY_OWN).path("error").asText(""), "no code: the gateway's own 5xx");
    }

    @Test
    void aRepeatedNameKeepsTheLastValueAsDatabindDoes() throws Exception {
        String body = "{\"state\":\"stopped\",\"state\":\"running\"}";
        assertEquals(DATABIND.readTree(body), read(body));
        assertEquals("running", read(body).path("state").asText());
    }

    /** A proxy's HTML page, an empty body, a reply cut short: an empty object, so the status code speaks. */
    @Test
    void whatIsNotJsonIsAnEmptyObject() {
        for (String body : List.of("", "   ", "<html><body>502 Bad Gateway</body></html>", "{\"state\":\"run",
                "{\"state\":", "{\"a\":1,", "[1,2", "{\"a\" 1}", "nope")) {
            JsonNode tree = read(body);
            assertEquals(DATABIND.createObjectNode(), tree, "'" + body + "'");
            assertEquals("", tree.path("message").asText(""), body);
        }
    }
}
