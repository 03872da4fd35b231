package dev.gpubox.functions;

import java.util.List;

/** The API's routes and the methods each accepts: the one list the handlers and their errors read. */
public enum Route {
    STATUS("/status", "GET"),
    START("/start", "POST"),
    STOP("/stop", "POST"),
    EIP("/eip", "POST"),
    SNOOZE("/snooze", "POST", "DELETE"),
    SCHEDULE_PAUSE("/schedule/pause", "POST", "DELETE"),
    SSH("/ssh", "POST");

    /** Where a caller who asked for something else is sent. */
    public static final String SEE_DOCS =
            "see docs/api.md for GET /status, POST /start, POST /stop, POST /eip, POST|DELETE /snooze, POST|DELETE /schedule/pause and POST /ssh.";

    private final String path;
    private final List<String> methods;

    Route(String path, String... methods) {
        this.path = path;
        this.methods = List.of(methods);
    }

    public String path() {
        return path;
    }

    public List<String> methods() {
        return methods;
    }
}
