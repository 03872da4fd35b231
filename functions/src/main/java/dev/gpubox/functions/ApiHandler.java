package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.ErrorCode;

/**
 * What every HTTP handler shares: check the route, method and key, run the one library call, and turn
 * any failure into the JSON error of docs/api.md. Nothing escapes as a stack trace.
 */
abstract class ApiHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private final String path;
    private final java.util.List<String> methods;
    protected final BoxControl box;

    ApiHandler(String path, BoxControl box, String... methods) {
        this.path = path;
        this.box = box;
        this.methods = java.util.List.of(methods);
    }

    /** The one library call; runs only for this handler's route, one of its methods and a keyed request. */
    abstract APIGatewayProxyResponseEvent handle(ApiRequest request);

    @Override
    public final APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        try {
            ApiRequest request = ApiRequest.from(event);
            if (!path.equals(request.path())) {
                throw new BoxException(ErrorCode.NOT_FOUND, "No route " + request.method() + " " + request.path()
                        + "; see docs/api.md for GET /status, POST /start, POST /stop, POST /eip and POST|DELETE /snooze.");
            }
            if (!methods.contains(request.method())) {
                return Replies.methodNotAllowed(String.join(", ", methods), request.method(), path);
            }
            if (!request.hasApiKey()) {
                throw new BoxException(ErrorCode.FORBIDDEN, "Missing x-api-key header.");
            }
            return handle(request);
        } catch (BoxException e) {
            Log.line(context, path + " -> " + e.error().httpStatus() + " " + e.error().code() + ": "
                    + e.getMessage());
            return Replies.error(e);
        } catch (RuntimeException unexpected) {
            // Logged in full for us, answered without internals for the caller.
            Log.failure(context, path, unexpected);
            return Replies.error(new BoxException(ErrorCode.INTERNAL,
                    "gpubox hit an unexpected error; details are in the function's CloudWatch log."));
        }
    }
}
