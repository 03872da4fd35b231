package dev.gpubox.functions;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code POST /eip[?force=true]}: makes sure the stack's Elastic IP is attached to the box. */
public final class AttachEipHandler extends ApiHandler {

    /** Used by Lambda: the container's clients and the function's environment. */
    public AttachEipHandler() {
        super(Route.EIP);
    }

    public AttachEipHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        super(Route.EIP, ec2, config, notifier);
    }

    @Override
    ApiReply handle(ApiRequest request) {
        return Replies.action(box.attachEip(request.boolParam("force")));
    }
}
