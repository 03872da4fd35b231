package dev.gpubox.functions;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code POST /stop}: stops the box (202), or says it already is stopped (200). */
public final class StopHandler extends ApiHandler {

    /** Used by Lambda: the container's clients and the function's environment. */
    public StopHandler() {
        super(Route.STOP);
    }

    public StopHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        super(Route.STOP, ec2, config, notifier);
    }

    @Override
    ApiReply handle(ApiRequest request) {
        return Replies.action(box.stop());
    }
}
