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
 * body too large, a timeout) answered as the deployed API's gateway responses answer (template.yaml's
 * {@code GatewayResponses}): {@code {"error","message"}} with a fixed message per status that says what to
 * do, never HTML, never the server's own reason text (which can name Java classes). Jetty 12.1 sends even a
 * request too malformed to have a request object through here.
 */
final class JsonErrors extends ErrorHandler {
    /**
     * What API Gateway answers for a missing or wrong key (template.yaml's INVALID_API_KEY, which
     * FrontDoorTest keeps equal).
     */
    static final String FORBIDDEN = "{\"error\":\"invalid_api_key\",\"message\":\"Missing or wrong API key: send it in"
            + " the x-api-key header. The stack output ApiKeyValueCommand prints it (docs/setup.md, step 5); after ./gpubox rotate-key, the key it printed.\"}";
    /** template.yaml's REQUEST_TOO_LARGE. */
    static final String TOO_LARGE = "{\"error\":\"request_too_large\",\"message\":\"The request is over API Gateway's"
            + " 10 MB limit; gpubox routes take no body.\"}";
    /** template.yaml's QUOTA_EXCEEDED: the usage plan's daily quota, which --gateway-fault 429 injects. */
    static final String QUOTA_EXCEEDED = "{\"error\":\"quota_exceeded\",\"message\":\"The API key's daily request quota"
            + " (ApiDailyQuota) is used up; it renews the next day, or raise ApiDailyQuota and redeploy.\"}";
    /** template.yaml's INTEGRATION_FAILURE: what API Gateway answers when a function fails. */
    static final String FUNCTION_FAILED = "{\"error\":\"api_unavailable\",\"message\":\"API Gateway could not get an"
            + " answer from gpubox's function (it failed or is waking up); try again in a few seconds (every gpubox"
            + " route is safe to repeat). If it lasts, see docs/api.md.\"}";

    /** The JSON body for a status the server or the front door refuses with. */
    static String body(int status) {
        return switch (status) {
            case 403 -> FORBIDDEN;
            case 404 -> LocalApi.NOT_FOUND;
            case 413 -> TOO_LARGE;
            default -> json(status);
        };
    }

    private static String json(int status) {
        String[] reply = switch (status) {
            case 400 -> new String[] {"bad_request", "Bad request: the HTTP request could not be read (its request"
                    + " line, a header or the body's framing); send a plain HTTP/1.1 request, as docs/api.md shows."};
            case 405 -> new String[] {"method_not_allowed", "Method not allowed; see docs/api.md for each route's"
                    + " methods."};
            case 408 -> new String[] {"request_timeout", "Request timeout: the request was not sent in time; send it"
                    + " again."};
            case 414 -> new String[] {"uri_too_long", "Request-URI too long: over the 10 KB API Gateway takes; gpubox"
                    + " routes take a few short parameters (docs/api.md)."};
            case 431 -> new String[] {"headers_too_large", "Request headers too large: over the 10 KB API Gateway"
                    + " takes; send only x-api-key and the usual headers."};
            case 501 -> new String[] {"not_implemented", "Not implemented: the server cannot take this request (an"
                    + " unknown Transfer-Encoding or method); send a plain HTTP/1.1 request."};
            case 505 -> new String[] {"http_version_not_supported", "HTTP version not supported: send HTTP/1.1."};
            default -> status >= 500
                    ? new String[] {"api_unavailable", "The local API could not answer; try again in a few seconds."}
                    : new String[] {"bad_request", "Bad request: the request could not be read; see docs/api.md."};
        };
        return "{\"error\":\"" + reply[0] + "\",\"message\":\"" + reply[1] + "\"}";
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
