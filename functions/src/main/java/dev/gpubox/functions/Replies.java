package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpubox.box.ActionResult;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.BoxStatus;
import dev.gpubox.box.Quote;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON replies in the shapes docs/api.md promises. */
final class Replies {
    static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private Replies() {
    }

    static APIGatewayProxyResponseEvent status(BoxStatus box) {
        ObjectNode body = boxJson(box);
        body.put("message", box.summary());
        return reply(200, body, Map.of());
    }

    /** 202 when EC2 accepted a start or stop that completes later; 200 otherwise. */
    static APIGatewayProxyResponseEvent action(ActionResult result) {
        ObjectNode body = JSON.createObjectNode();
        body.put("result", result.result());
        body.put("message", result.message());
        body.set("box", boxJson(result.box()));
        return reply(result.accepted() ? 202 : 200, body, Map.of());
    }

    static APIGatewayProxyResponseEvent error(BoxException e) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", e.error().code());
        // Every message is built short and one line; this keeps it so whatever a new message does.
        body.put("message", Quote.excerpt(e.getMessage(), 400));
        Map<String, String> headers = new LinkedHashMap<>();
        if (e.retryAfterSeconds() != null) {
            body.put("retryAfterSeconds", e.retryAfterSeconds());
            headers.put("Retry-After", e.retryAfterSeconds().toString());
        }
        if (e.awsRequestId() != null) {
            body.put("awsRequestId", e.awsRequestId());
        }
        return reply(e.error().httpStatus(), body, headers);
    }

    static APIGatewayProxyResponseEvent methodNotAllowed(String allowed, String method, String path) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", "method_not_allowed");
        body.put("message", Quote.excerpt(method, 10) + " is not allowed on " + path + "; use " + allowed + ".");
        return reply(405, body, Map.of("Allow", allowed));
    }

    private static ObjectNode boxJson(BoxStatus box) {
        ObjectNode node = JSON.createObjectNode();
        node.put("instanceId", box.instanceId());
        node.put("name", box.name());
        node.put("instanceType", box.instanceType());
        node.put("state", box.state());
        node.put("publicIp", box.publicIp());
        node.put("elasticIp", box.elasticIp());
        node.put("elasticIpAttached", box.elasticIpAttached());
        node.put("launchTime", box.launchTime() == null ? null : box.launchTime().toString());
        if (box.uptimeSeconds() == null) {
            node.putNull("uptimeSeconds");
        } else {
            node.put("uptimeSeconds", box.uptimeSeconds());
        }
        node.put("ssh", box.ssh());
        node.put("snoozedUntil", box.snoozedUntil() == null ? null : box.snoozedUntil().toString());
        node.put("nextAutomaticStop", box.nextAutomaticStop() == null ? null : box.nextAutomaticStop().toString());
        node.put("hourlyPriceUsd", box.hourlyPriceUsd());
        node.put("estimatedCostUsd", box.estimatedCostUsd());
        return node;
    }

    private static APIGatewayProxyResponseEvent reply(int status, ObjectNode body, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.putAll(extraHeaders);
        try {
            return new APIGatewayProxyResponseEvent()
                    .withStatusCode(status)
                    .withHeaders(headers)
                    .withBody(JSON.writeValueAsString(body));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", impossible);
        }
    }
}
