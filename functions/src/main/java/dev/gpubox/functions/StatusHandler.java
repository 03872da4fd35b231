package dev.gpubox.functions;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code GET /status}: the box, its address, its next automatic stop, a ready-to-paste ssh line and the month's spend. */
public final class StatusHandler extends ApiHandler {

    /** Used by Lambda: the container's clients and the function's environment. */
    public StatusHandler() {
        super(Route.STATUS);
    }

    public StatusHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        super(Route.STATUS, ec2, config, notifier);
    }

    /** With the spend ledger and the monthly cap. */
    public StatusHandler(Ec2Client ec2, BoxConfig config, Notifier notifier, MonthlyBudget budget) {
        super(Route.STATUS, ec2, config, notifier, budget);
    }

    @Override
    ApiReply handle(ApiRequest request) {
        var status = box.statusWithSchedule();
        return Replies.status(status.box(), box.monthToDate(), status.schedule());
    }
}
