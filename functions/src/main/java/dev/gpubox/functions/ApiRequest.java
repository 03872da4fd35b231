package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.ErrorCode;
import dev.gpubox.box.Quote;
import java.util.Map;

/** The parts of an API Gateway proxy event the handlers read, with the query parameters validated. */
record ApiRequest(String method, String path, Map<String, String> query, boolean hasApiKey) {

    static ApiRequest from(APIGatewayProxyRequestEvent event) {
        if (event == null || event.getHttpMethod() == null) {
            throw new BoxException(ErrorCode.BAD_REQUEST,
                    "This function expects an API Gateway REST proxy event with an httpMethod.");
        }
        String path = event.getResource() != null && !event.getResource().isBlank() ? event.getResource()
                : event.getPath();
        // HTTP methods are case-sensitive (RFC 9110): "post" is not POST, and is never carried out.
        return new ApiRequest(event.getHttpMethod(), path == null ? "" : path,
                event.getQueryStringParameters() == null ? Map.of() : event.getQueryStringParameters(),
                hasApiKey(event));
    }

    /**
     * API Gateway checks the key before it calls us; this sees that it did. An event that arrives with
     * neither the header nor the gateway's record of the key did not come through the keyed API.
     */
    private static boolean hasApiKey(APIGatewayProxyRequestEvent event) {
        if (event.getRequestContext() != null && event.getRequestContext().getIdentity() != null) {
            String key = event.getRequestContext().getIdentity().getApiKey();
            if (key != null && !key.isBlank()) {
                return true;
            }
        }
        return event.getHeaders() != null && event.getHeaders().entrySet().stream()
                .anyMatch(h -> "x-api-key".equalsIgnoreCase(h.getKey()) && h.getValue() != null
                        && !h.getValue().isBlank());
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
