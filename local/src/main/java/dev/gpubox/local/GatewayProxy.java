package dev.gpubox.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gpubox.functions.ApiReply;
import dev.gpubox.functions.ProxyHandler;
import java.io.UncheckedIOException;

/**
 * API Gateway's half of a Lambda proxy integration: the typed event local mode builds is sent to the
 * handler as the JSON Lambda would deliver, and the handler's reply comes back as the gateway's response.
 */
final class GatewayProxy {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private GatewayProxy() {
    }

    static RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> of(ProxyHandler handler) {
        return (event, context) -> {
            ApiReply reply;
            try {
                reply = handler.handle(JSON.writeValueAsBytes(event), context);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            return new APIGatewayProxyResponseEvent().withStatusCode(reply.statusCode())
                    .withHeaders(reply.headers()).withBody(reply.body());
        };
    }
}
