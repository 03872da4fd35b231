package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.Notifier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code POST /eip[?force=true]}: makes sure the stack's Elastic IP is attached to the box. */
public final class AttachEipHandler extends ApiHandler {

    /** Used by Lambda: the container's clients and the function's environment. */
    public AttachEipHandler() {
        super("/eip", Lambda.boxControl(), "POST");
    }

    public AttachEipHandler(Ec2Client ec2, BoxConfig config) {
        this(ec2, config, Notifier.NONE);
    }

    public AttachEipHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        super("/eip", new BoxControl(ec2, config, notifier), "POST");
    }

    @Override
    APIGatewayProxyResponseEvent handle(ApiRequest request) {
        return Replies.action(box.attachEip(request.boolParam("force")));
    }
}
