package dev.gpubox.local;

import java.io.IOException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every error the HTTP server produces by itself (a request it cannot parse, a URI or headers too long, a
 * body too large, a timeout) answered as API Gateway would, in JSON: a fixed message per status, never
 * HTML, never the server's own reason text (which can name Java classes). Jetty 12.1 sends even a request
 * too malformed to have a request object through here.
 */
final class JsonErrors extends ErrorHandler {

    /** The JSON body for a status the server or the front door refuses with. */
    static String body(int status) {
        String message = switch (status) {
            case 400 -> "Bad request: the HTTP request could not be read.";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 408 -> "Request timeout: the request was not sent in time.";
            case 413 -> "Request Too Long";
            case 414 -> "Request-URI Too Long";
            case 431 -> "Request header fields too large";
            case 501 -> "Not implemented";
            case 505 -> "HTTP version not supported";
            default -> status >= 500 ? "Internal server error" : "Bad request";
        };
        return "{\"message\":\"" + message + "\"}";
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, body(code), callback);
    }
}
