package dev.gpubox.functions;

import dev.gpubox.box.BoxException;
import dev.gpubox.box.ErrorCode;
import dev.gpubox.box.Quote;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parts of an API Gateway proxy event the handlers read, with the query parameters validated.
 *
 * <p>{@code sourceIp} is API Gateway's {@code requestContext.identity.sourceIp}: the address of the TCP
 * connection that reached the gateway, which the caller cannot choose. The {@code X-Forwarded-For} header is
 * never read: a client may send one of its own, and API Gateway appends to it instead of replacing it, so its
 * first entry is whatever the caller wrote (POST /ssh would then open the box to an address of its choice).
 */
record ApiRequest(String method, String path, Map<String, String> query, boolean hasApiKey, String sourceIp) {

    /** @param event the proxy event's JSON object, or null when the payload was not a JSON object */
    static ApiRequest from(Map<String, Object> event) {
        String method = Json.text(event, "httpMethod");
        if (method == null) {
            throw new BoxException(ErrorCode.BAD_REQUEST,
                    "This function expects an API Gateway REST proxy event with an httpMethod.");
        }
        String resource = Json.text(event, "resource");
        String path = resource != null && !resource.isBlank() ? resource : Json.text(event, "path");
        // HTTP methods are case-sensitive (RFC 9110): "post" is not POST, and is never carried out.
        return new ApiRequest(method, path == null ? "" : path,
                strings(Json.child(event, "queryStringParameters")), hasApiKey(event),
                Json.text(Json.child(Json.child(event, "requestContext"), "identity"), "sourceIp"));
    }

    /**
     * API Gateway checks the key before it calls us; this sees that it did. An event that arrives with
     * neither the header nor the gateway's record of the key did not come through the keyed API.
     */
    private static boolean hasApiKey(Map<String, Object> event) {
        String key = Json.text(Json.child(Json.child(event, "requestContext"), "identity"), "apiKey");
        if (key != null && !key.isBlank()) {
            return true;
        }
        return Json.child(event, "headers").entrySet().stream()
                .anyMatch(h -> "x-api-key".equalsIgnoreCase(h.getKey()) && h.getValue() instanceof String v
                        && !v.isBlank());
    }

    /** A JSON object of parameters; a value that is not a string (never sent by API Gateway) is dropped. */
    private static Map<String, String> strings(Map<String, Object> json) {
        Map<String, String> out = new LinkedHashMap<>();
        json.forEach((k, v) -> {
            if (v instanceof String s) {
                out.put(k, s);
            }
        });
        return out;
    }

    /** {@code ?name=text}; null when absent. */
    String stringParam(String name) {
        return query.get(name);
    }

    /** {@code ?name=N}: a whole number within [0, max]; absent means 0. */
    int intParam(String name, int max) {
        String raw = query.get(name);
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= 0 && value <= max) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // reported below with the same message as an out-of-range value
        }
        throw new BoxException(ErrorCode.BAD_REQUEST,
                name + " must be a whole number of seconds from 0 to " + max + ", not " + Quote.input(raw) + ".");
    }

    /** {@code ?name=true|false}; absent means false. */
    boolean boolParam(String name) {
        String raw = query.get(name);
        if (raw == null || raw.isBlank()) {
            return false;
        }
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new BoxException(ErrorCode.BAD_REQUEST,
                    name + " must be true or false, not " + Quote.input(raw) + ".");
        };
    }
}
