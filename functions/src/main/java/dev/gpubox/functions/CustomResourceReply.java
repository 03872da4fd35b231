package dev.gpubox.functions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer a CloudFormation custom resource owes: a JSON document PUT to the event's pre-signed
 * {@code ResponseURL} (the shape AWS's own cfn-response module sends). CloudFormation waits for it; without
 * it a stack operation hangs until the resource's ServiceTimeout.
 */
final class CustomResourceReply {
    /** Sends one reply body to a pre-signed URL; a seam so tests can capture it. */
    @FunctionalInterface
    interface Sender {
        void put(String url, byte[] body) throws IOException;
    }

    static final String SUCCESS = "SUCCESS";
    static final String FAILED = "FAILED";
    private static final int ATTEMPTS = 3;

    private CustomResourceReply() {
    }

    static Map<String, Object> body(Map<String, Object> event, String status, String reason,
                                    String physicalResourceId) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("Status", status);
        reply.put("Reason", reason);
        reply.put("PhysicalResourceId", physicalResourceId);
        for (String echoed : new String[] {"StackId", "RequestId", "LogicalResourceId"}) {
            String value = Json.text(event, echoed);
            reply.put(echoed, value == null ? "" : value);
        }
        return reply;
    }

    /**
     * PUTs with no Content-Type (the URL is signed without one, as cfn-response does), retrying a failed
     * connection or a 5xx a few times: an unanswered delete would hang.
     */
    static void put(String url, byte[] body) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status < 300) {
                    return;
                }
                last = new IOException("the response URL answered HTTP " + status);
                if (status < 500) {
                    break;
                }
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while answering CloudFormation", e);
            }
        }
        throw last;
    }
}
