package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.ErrorCode;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.Quote;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * What every HTTP handler shares: check the route, method and key, run the one library call, and turn
 * any failure into the JSON error of docs/api.md. Nothing escapes as a stack trace.
 *
 * <p>Public on purpose: for a {@code Class::handleRequest} handler string Lambda's Java runtime finds
 * {@code handleRequest} by reflection and invokes it, and a method declared in a non-public class cannot
 * be invoked that way from outside the package ({@code IllegalAccessException}).
 */
public abstract class ApiHandler implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    private final Route route;
    protected final BoxControl box;

    /** Lambda's constructor: the container's clients and the function's environment. */
    ApiHandler(Route route) {
        this(route, Lambda.boxControl());
    }

    /** Tests' and local mode's constructor: any EC2 client (a mock, or one pointed at a stand-in). */
    ApiHandler(Route route, Ec2Client ec2, BoxConfig config, Notifier notifier) {
        this(route, new BoxControl(ec2, config, notifier));
    }

    private ApiHandler(Route route, BoxControl box) {
        this.route = route;
        this.box = box;
    }

    /** The one library call; runs only for this handler's route, one of its methods and a keyed request. */
    abstract APIGatewayProxyResponseEvent handle(ApiRequest request);

    @Override
    public final APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
        try {
            ApiRequest request = ApiRequest.from(event);
            if (!route.path().equals(request.path())) {
                throw new BoxException(ErrorCode.NOT_FOUND, "No route " + Quote.excerpt(request.method(), 10) + " "
                        + Quote.excerpt(request.path(), 40) + "; " + Route.SEE_DOCS);
            }
            List<String> methods = route.methods();
            if (!methods.contains(request.method())) {
                return Replies.methodNotAllowed(String.join(", ", methods), request.method(), route.path());
            }
            if (!request.hasApiKey()) {
                throw new BoxException(ErrorCode.FORBIDDEN, "Missing x-api-key header.");
            }
            return handle(request);
        } catch (BoxException e) {
            Log.line(context, route.path() + " -> " + e.error().httpStatus() + " " + e.error().code() + ": "
                    + e.getMessage());
            return Replies.error(e);
        } catch (RuntimeException unexpected) {
            // Logged in full for us, answered without internals for the caller.
            Log.failure(context, route.path(), unexpected);
            return Replies.error(new BoxException(ErrorCode.INTERNAL,
                    "gpubox hit an unexpected error; details are in the function's CloudWatch log."));
        }
    }
}
