package dev.gpubox.functions;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an API handler answers: the API Gateway REST proxy reply ({@code statusCode}, {@code headers},
 * {@code body}), which Lambda returns to the gateway as JSON. Public for local mode and tests.
 */
public record ApiReply(int statusCode, Map<String, String> headers, String body) {
    public ApiReply {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** The proxy integration's JSON, as the gateway reads it. */
    byte[] toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("statusCode", statusCode);
        json.put("headers", headers);
        json.put("body", body);
        return Json.bytes(json);
    }
}
