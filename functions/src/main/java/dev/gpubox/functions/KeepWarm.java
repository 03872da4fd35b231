package dev.gpubox.functions;

import java.util.Map;

/**
 * The keep-warm invoke: template.yaml's KeepWarm schedules invoke each API function's {@code live} alias
 * with {@link #PAYLOAD}, so the published SnapStart version the API calls never goes 14 days without an
 * invoke (Lambda then makes it {@code Inactive}, and the next tap gets API Gateway's bare 5xx). The handler
 * answers it before any route, key or EC2 work: it only has to reach the restored snapshot.
 */
public final class KeepWarm {
    /** The schedules' Input, verbatim (TransformedTemplateIT checks the template sends exactly this). */
    public static final String PAYLOAD = "{\"gpubox\":\"keep-warm\"}";

    private KeepWarm() {
    }

    /** True for the keep-warm payload: a "gpubox" field API Gateway never sends, and no HTTP method. */
    static boolean is(Map<String, Object> event) {
        return event != null && "keep-warm".equals(event.get("gpubox")) && event.get("httpMethod") == null;
    }
}
