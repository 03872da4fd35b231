package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;

/**
 * A function behind API Gateway's REST proxy integration, seen from the gateway's side: the event's JSON
 * in, the proxy reply out. Lambda reaches it through {@code RequestStreamHandler}; local mode and tests
 * call this directly.
 */
public interface ProxyHandler {
    ApiReply handle(byte[] event, Context context);
}
