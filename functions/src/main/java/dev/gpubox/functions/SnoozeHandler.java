package dev.gpubox.functions;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code POST /snooze?until=HH:MM|minutes=N} keeps the box on past the nightly stop; {@code DELETE /snooze} ends that. */
public final class SnoozeHandler extends ApiHandler {

    /** Used by Lambda: the container's clients and the function's environment. */
    public SnoozeHandler() {
        super(Route.SNOOZE);
    }

    public SnoozeHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        super(Route.SNOOZE, ec2, config, notifier);
    }

    @Override
    ApiReply handle(ApiRequest request) {
        return Replies.action(request.method().equals("DELETE") ? box.cancelSnooze()
                : box.snooze(request.stringParam("until"), request.stringParam("minutes")));
    }
}
