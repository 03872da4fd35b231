package dev.gpubox.functions;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code GET /status}: the box, its address, its next automatic stop and a ready-to-paste ssh line. */
public final class StatusHandler extends ApiHandler {

    /** Used by Lambda: the container's clients and the function's environment. */
    public StatusHandler() {
        super(Route.STATUS);
    }

    public StatusHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        super(Route.STATUS, ec2, config, notifier);
    }

    @Override
    ApiReply handle(ApiRequest request) {
        return Replies.status(box.status());
    }
}
