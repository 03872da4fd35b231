package dev.gpubox.functions;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * {@code POST /schedule/pause?until=YYYY-MM-DD} skips the morning start through that day (a holiday);
 * {@code DELETE /schedule/pause} ends the pause. Manual /start is never affected.
 */
public final class SchedulePauseHandler extends ApiHandler {

    /** Used by Lambda: the container's clients and the function's environment. */
    public SchedulePauseHandler() {
        super(Route.SCHEDULE_PAUSE);
    }

    public SchedulePauseHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        super(Route.SCHEDULE_PAUSE, ec2, config, notifier);
    }

    @Override
    ApiReply handle(ApiRequest request) {
        return Replies.action(request.method().equals("DELETE") ? box.resumeSchedule()
                : box.pauseSchedule(request.stringParam("until")));
    }
}
