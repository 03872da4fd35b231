package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 point 6: every reply API Gateway makes itself — a missing or wrong key, throttling, the quota,
 * an unknown route, its own 5xx — keeps gpubox's error contract, checked on what CloudFormation receives
 * (the SAM transform's {@code x-amazon-apigateway-gateway-responses}): JSON with an {@code error} code and
 * a {@code message} that says what to do, once API Gateway has rendered the VTL template.
 */
class GatewayResponsesIT {
    /**
     * Every gateway response type and its default status, as AWS's API Gateway developer guide lists them
     * ("Gateway response types for API Gateway"). A type AWS adds later falls back to DEFAULT_4XX/5XX.
     */
    static final Map<String, Integer> AWS_TYPES = new TreeMap<>(Map.ofEntries(
            Map.entry("ACCESS_DENIED", 403), Map.entry("API_CONFIGURATION_ERROR", 500),
            Map.entry("AUTHORIZER_CONFIGURATION_ERROR", 500), Map.entry("AUTHORIZER_FAILURE", 500),
            Map.entry("BAD_REQUEST_PARAMETERS", 400), Map.entry("BAD_REQUEST_BODY", 400),
            Map.entry("DEFAULT_4XX", 400), Map.entry("DEFAULT_5XX", 500), Map.entry("EXPIRED_TOKEN", 403),
            Map.entry("INTEGRATION_FAILURE", 504), Map.entry("INTEGRATION_TIMEOUT", 504),
            Map.entry("INVALID_API_KEY", 403), Map.entry("INVALID_SIGNATURE", 403),
            Map.entry("MISSING_AUTHENTICATION_TOKEN", 403), Map.entry("QUOTA_EXCEEDED", 429),
            Map.entry("REQUEST_TOO_LARGE", 413), Map.entry("RESOURCE_NOT_FOUND", 404), Map.entry("THROTTLED", 429),
            Map.entry("UNAUTHORIZED", 401), Map.entry("UNSUPPORTED_MEDIA_TYPE", 415), Map.entry("WAF_FILTERED", 403)));
    /** The types a caller reaches with no key, a wrong one, or AWS credentials instead of the key. */
    static final Set<String> KEY_TYPES = Set.of("INVALID_API_KEY", "ACCESS_DENIED", "UNAUTHORIZED", "EXPIRED_TOKEN",
            "INVALID_SIGNATURE");
    /**
     * The $context variables a template may use, with a worst-case value each: they are pasted into the body
     * as they are, so only values that never need JSON escaping are allowed (not $context.error.message).
     */
    static final Map<String, String> CONTEXT = Map.of(
            "$context.requestId", "c0ffee00-1234-4abc-8def-0123456789ab",
            "$context.error.responseType", "INTEGRATION_FAILURE");
    static final Pattern VTL_REFERENCE = Pattern.compile("\\$!?\\{?[A-Za-z][\\w.]*");

    static Map<String, JsonNode> responses;

    @BeforeAll
    static void transform() throws Exception {
        JsonNode body = AwsTools.transform(Template.FILE).path("Resources").path("GpuApi").path("Properties").path("Body");
        responses = new TreeMap<>();
        body.path("x-amazon-apigateway-gateway-responses").properties().forEach(e -> responses.put(e.getKey(), e.getValue()));
    }

    static int status(String type) {
        JsonNode code = responses.get(type).path("statusCode");
        return code.isMissingNode() ? AWS_TYPES.get(type) : Integer.parseInt(code.asText());
    }

    /** The body a client receives: the template after API Gateway's VTL pass, with worst-case $context values. */
    static String rendered(String type) {
        JsonNode templates = responses.get(type).path("responseTemplates");
        assertEquals(List.of("application/json"), names(templates), type + ": one JSON template (API Gateway's default)");
        String template = templates.path("application/json").asText();
        assertFalse(template.contains("#"), type + ": '#' starts a VTL directive or comment: " + template);
        assertFalse(template.contains("\\"), type + ": a backslash is a VTL escape: " + template);
        Matcher reference = VTL_REFERENCE.matcher(template);
        String out = template;
        while (reference.find()) {
            assertTrue(CONTEXT.containsKey(reference.group()), type + ": " + reference.group()
                    + " is not a $context value known to need no JSON escaping");
        }
        for (var c : CONTEXT.entrySet()) {
            out = out.replace(c.getKey(), c.getValue());
        }
        return out;
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void everyResponseTypeAwsListsIsAnsweredByTheTemplate() {
        assertEquals(AWS_TYPES.keySet(), responses.keySet());
    }

    @Test
    void everyBodyIsJsonWithAnErrorCodeAndAOneLineMessageThatSaysWhatToDo() throws IOException {
        for (String type : responses.keySet()) {
            String body = rendered(type);
            JsonNode json = AwsTools.JSON.readTree(body);
            assertEquals(List.of("error", "message"), names(json), type + ": " + body);
            String error = json.path("error").asText();
            String message = json.path("message").asText();
            assertTrue(error.matches("[a-z0-9_]+"), type + ": " + error);
            assertTrue(message.length() >= 40 && message.length() <= 400 && message.chars().noneMatch(Character::isISOControl),
                    type + ": one line of at most 400 characters: " + message);
            int status = status(type);
            if (status >= 500) {
                // coordination: the panel and the CLI retry a gateway 5xx by this code, and no other.
                assertEquals("api_unavailable", error, type);
                assertTrue(message.contains("try again") && message.contains("safe to repeat"), type + ": " + message);
            } else {
                assertFalse(error.equals("api_unavailable"), type + ": a 4xx is not retried");
            }
        }
    }

    @Test
    void aMissingOrWrongKeySaysWhichHeaderAndWhereToReadTheKey() throws IOException {
        assertTrue(Template.TREE.path("Outputs").has("ApiKeyValueCommand"), "the output the message names");
        for (String type : KEY_TYPES) {
            JsonNode json = AwsTools.JSON.readTree(rendered(type));
            assertEquals("invalid_api_key", json.path("error").asText(),
                    type + ": the panel and the CLI ask for the key again on this code");
            assertEquals(AWS_TYPES.get(type), status(type), type + ": AWS's own status");
            String message = json.path("message").asText();
            assertTrue(message.contains("x-api-key") && message.contains("ApiKeyValueCommand"), type + ": " + message);
        }
        assertEquals(404, status("MISSING_AUTHENTICATION_TOKEN"), "an unknown route is a 404, not a 403 'Missing Authentication Token'");
    }

    /** docs/api.md's table of API Gateway's own replies names every type with its status and code. */
    @Test
    void theApiDocListsEveryGatewayReplyWithItsStatusAndCode() throws IOException {
        String doc = Files.readString(Template.REPO.resolve("docs/api.md"));
        Matcher row = Pattern.compile("(?m)^\\| `([A-Z_0-9]+)` \\| (\\d{3}) \\| `([a-z_]+)` \\|").matcher(doc);
        Map<String, String> documented = new TreeMap<>();
        while (row.find()) {
            documented.put(row.group(1), row.group(2) + " " + row.group(3));
        }
        Map<String, String> deployed = new LinkedHashMap<>();
        for (String type : responses.keySet()) {
            deployed.put(type, status(type) + " " + AwsTools.JSON.readTree(rendered(type)).path("error").asText());
        }
        assertEquals(new TreeMap<>(deployed), documented);
    }
}
