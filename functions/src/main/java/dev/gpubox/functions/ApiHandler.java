package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.ErrorCode;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.Quote;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * What every HTTP handler shares: check the route, method and key, run the one library call, and turn
 * any failure into the JSON error of docs/api.md. Nothing escapes as a stack trace.
 *
 * <p>A {@link RequestStreamHandler}: it reads the API Gateway proxy event's JSON itself (jackson-jr, into
 * maps) instead of having the runtime map it onto typed event classes by reflection; that, and no
 * data-binding ObjectMapper, is a large part of the cold start it saves (docs/performance.md).
 * {@link #handle(byte[], Context)} is the typed entry for local mode and tests.
 *
 * <p>Public on purpose: for a {@code Class::handleRequest} handler string Lambda's Java runtime finds
 * {@code handleRequest} by reflection and invokes it, and a method declared in a non-public class cannot
 * be invoked that way from outside the package ({@code IllegalAccessException}).
 */
public abstract class ApiHandler implements RequestStreamHandler, ProxyHandler, Resource {
    private final Route route;
    protected final BoxControl box;

    /** Lambda's constructor: the container's clients and the function's environment. */
    ApiHandler(Route route) {
        this(route, Lambda.boxControl());
        // SnapStart (template.yaml) snapshots the function after init; beforeCheckpoint primes it first.
        // Without a CRaC runtime (plain JVM, tests) this registration does nothing.
        Core.getGlobalContext().register(this);
    }

    /** Tests' and local mode's constructor: any EC2 client (a mock, or one pointed at a stand-in). */
    ApiHandler(Route route, Ec2Client ec2, BoxConfig config, Notifier notifier) {
        this(route, new BoxControl(ec2, config, notifier));
    }

    /** The same, with the spend ledger and monthly cap (local mode's, or one on moto's DynamoDB). */
    ApiHandler(Route route, Ec2Client ec2, BoxConfig config, Notifier notifier, MonthlyBudget budget) {
        this(route, new BoxControl(ec2, config, java.time.Clock.systemUTC(), dev.gpubox.box.Sleeper.REAL, notifier,
                budget));
    }

    private ApiHandler(Route route, BoxControl box) {
        this.route = route;
        this.box = box;
    }

    /** SnapStart's hook, just before the snapshot: run this route once against canned EC2 data (see Priming). */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing to renew: priming left no connection, credential or seed behind
    }

    /** One canned request of this handler's route, end to end, with no network; the bench calls it too. */
    final ApiReply prime() {
        return Priming.run(this, route, Priming.ec2For(route));
    }

    /** The one library call; runs only for this handler's route, one of its methods and a keyed request. */
    abstract ApiReply handle(ApiRequest request);

    /** Lambda's entry: the proxy event's JSON in, the proxy reply's JSON out. */
    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        output.write(handle(input.readAllBytes(), context).toJson());
    }

    /** The typed entry: an API Gateway REST proxy event (its JSON, as Lambda delivers it) to the reply. */
    @Override
    public final ApiReply handle(byte[] event, Context context) {
        try {
            Map<String, Object> json = Json.objectOrNull(event);
            if (KeepWarm.is(json)) {
                Log.line(context, route.path() + " keep-warm: answered without an EC2 call");
                return Replies.keptWarm();
            }
            ApiRequest request = ApiRequest.from(json);
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
