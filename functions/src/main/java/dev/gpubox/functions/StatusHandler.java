package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.Notifier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** {@code GET /status}: the box, its address, its next automatic stop and a ready-to-paste ssh line. */
public final class StatusHandler extends ApiHandler {

    /** Used by Lambda: the container's clients and the function's environment. */
    public StatusHandler() {
        super("/status", Lambda.boxControl(), "GET");
    }

    public StatusHandler(Ec2Client ec2, BoxConfig config) {
        this(ec2, config, Notifier.NONE);
    }

    public StatusHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        super("/status", new BoxControl(ec2, config, notifier), "GET");
    }

    @Override
    APIGatewayProxyResponseEvent handle(ApiRequest request) {
        return Replies.status(box.status());
    }
}
