package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The tests' API Gateway: a typed event is delivered to the handler as JSON, the reply read back. */
final class ProxyIntegration {
    static final ObjectMapper JSON = new ObjectMapper();

    private ProxyIntegration() {
    }

    static APIGatewayProxyResponseEvent invoke(ProxyHandler handler, APIGatewayProxyRequestEvent event) {
        try {
            ApiReply reply = handler.handle(JSON.writeValueAsBytes(event), null);
            return new APIGatewayProxyResponseEvent().withStatusCode(reply.statusCode())
                    .withHeaders(reply.headers()).withBody(reply.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
