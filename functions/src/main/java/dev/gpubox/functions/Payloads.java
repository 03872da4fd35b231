package dev.gpubox.functions;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Checks of the raw payloads the event-driven (non-HTTP) functions receive. */
final class Payloads {
    private Payloads() {
    }

    /** Accepts nothing, {@code null} or a JSON object; anything else was not sent by a schedule. */
    static void requireScheduleEvent(byte[] bytes) {
        requireScheduleEvent(bytes, "The scheduled stop", "Nothing was stopped.");
    }

    /** @param job what the schedule runs, e.g. "The morning start"; @param untouched what the refusal left undone */
    static void requireScheduleEvent(byte[] bytes, String job, String untouched) {
        Map<String, Object> node = object(bytes, job + " expects an EventBridge Scheduler payload or a"
                + " scheduled event (a JSON object)", untouched);
        if (node != null && node.containsKey("httpMethod")) {
            throw new IllegalArgumentException(job + " is not behind the API; an API Gateway"
                    + " request reached it by mistake. " + untouched);
        }
    }

    /** The JSON object in {@code bytes}, or null for an empty or {@code null} payload. */
    static Map<String, Object> object(byte[] bytes, String expectation) {
        return object(bytes, expectation, "Nothing was stopped.");
    }

    private static Map<String, Object> object(byte[] bytes, String expectation, String untouched) {
        String payload = new String(bytes, StandardCharsets.UTF_8);
        if (payload.isBlank() || payload.strip().equals("null")) {
            return null;
        }
        Map<String, Object> node = Json.objectOrNull(bytes);
        if (node != null) {
            return node;
        }
        throw new IllegalArgumentException(expectation + "; got: "
                + (payload.length() <= 80 ? payload : payload.substring(0, 80) + "…") + ". " + untouched);
    }
}
