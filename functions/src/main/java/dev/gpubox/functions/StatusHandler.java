package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.Ec2Clients;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code GET /status}: the box, its address and a ready-to-paste ssh line. */
public final class StatusHandler extends ApiHandler {

    /** Used by Lambda: the container's EC2 client and the function's environment. */
    public StatusHandler() {
        this(Ec2Clients.shared(), BoxConfig.fromEnvironment());
    }

    public StatusHandler(Ec2Client ec2, BoxConfig config) {
        super("GET", "/status", new BoxControl(ec2, config));
    }

    @Override
    APIGatewayProxyResponseEvent handle(ApiRequest request) {
        return Replies.status(box.status());
    }
}
