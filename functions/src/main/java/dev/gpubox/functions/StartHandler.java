package dev.gpubox.functions;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code POST /start[?wait=N]}: starts the box (202), or says it already runs (200). */
public final class StartHandler extends ApiHandler {

    /** Used by Lambda: the container's clients and the function's environment. */
    public StartHandler() {
        super(Route.START);
    }

    public StartHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        super(Route.START, ec2, config, notifier);
    }

    /** With the spend ledger and the monthly cap. */
    public StartHandler(Ec2Client ec2, BoxConfig config, Notifier notifier, MonthlyBudget budget) {
        super(Route.START, ec2, config, notifier, budget);
    }

    @Override
    ApiReply handle(ApiRequest request) {
        return Replies.action(box.start(request.intParam("wait", BoxControl.MAX_WAIT_SECONDS)));
    }
}
