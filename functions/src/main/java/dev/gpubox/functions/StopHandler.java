package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.Ec2Clients;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code POST /stop}: stops the box (202), or says it already is stopped (200). */
public final class StopHandler extends ApiHandler {

    /** Used by Lambda: the container's EC2 client and the function's environment. */
    public StopHandler() {
        this(Ec2Clients.shared(), BoxConfig.fromEnvironment());
    }

    public StopHandler(Ec2Client ec2, BoxConfig config) {
        super("POST", "/stop", new BoxControl(ec2, config));
    }

    @Override
    APIGatewayProxyResponseEvent handle(ApiRequest request) {
        return Replies.action(box.stop());
    }
}
