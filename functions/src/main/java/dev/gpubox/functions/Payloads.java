package dev.gpubox.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/** Checks of the raw payloads the event-driven (non-HTTP) functions receive. */
final class Payloads {
    private Payloads() {
    }

    /** Accepts nothing, {@code null} or a JSON object; anything else was not sent by a schedule. */
    static void requireScheduleEvent(byte[] bytes) {
        JsonNode node = object(bytes, "The scheduled stop expects an EventBridge Scheduler payload or a"
                + " scheduled event (a JSON object)");
        if (node != null && node.has("httpMethod")) {
            throw new IllegalArgumentException("The scheduled stop is not behind the API; an API Gateway"
                    + " request reached it by mistake. Nothing was stopped.");
        }
    }

    /** The JSON object in {@code bytes}, or null for an empty or {@code null} payload. */
    static JsonNode object(byte[] bytes, String expectation) {
        String payload = new String(bytes, StandardCharsets.UTF_8);
        if (payload.isBlank()) {
            return null;
        }
        try {
            JsonNode node = Replies.JSON.readTree(payload);
            if (node == null || node.isNull() || node.isObject()) {
                return node == null || node.isNull() ? null : node;
            }
        } catch (JsonProcessingException notJson) {
            // falls through to the rejection below
        }
        throw new IllegalArgumentException(expectation + "; got: "
                + (payload.length() <= 80 ? payload : payload.substring(0, 80) + "…") + ". Nothing was stopped.");
    }
}
