package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.Ec2Clients;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code POST /start[?wait=N]}: starts the box (202), or says it already runs (200). */
public final class StartHandler extends ApiHandler {

    /** Used by Lambda: the container's EC2 client and the function's environment. */
    public StartHandler() {
        this(Ec2Clients.shared(), BoxConfig.fromEnvironment());
    }

    public StartHandler(Ec2Client ec2, BoxConfig config) {
        super("POST", "/start", new BoxControl(ec2, config));
    }

    @Override
    APIGatewayProxyResponseEvent handle(ApiRequest request) {
        return Replies.action(box.start(request.intParam("wait", BoxControl.MAX_WAIT_SECONDS)));
    }
}
