package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.Ec2Clients;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code POST /eip[?force=true]}: makes sure the stack's Elastic IP is attached to the box. */
public final class AttachEipHandler extends ApiHandler {

    /** Used by Lambda: the container's EC2 client and the function's environment. */
    public AttachEipHandler() {
        this(Ec2Clients.shared(), BoxConfig.fromEnvironment());
    }

    public AttachEipHandler(Ec2Client ec2, BoxConfig config) {
        super("POST", "/eip", new BoxControl(ec2, config));
    }

    @Override
    APIGatewayProxyResponseEvent handle(ApiRequest request) {
        return Replies.action(box.attachEip(request.boolParam("force")));
    }
}
