package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gpubox.box.AwsClients;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.SpotNotices;
import dev.gpubox.box.StateChangeNotices;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * EC2 "Instance State-change Notification" events from EventBridge → one notice per stopped box, saying
 * why it stopped, how long it ran and what that cost; "running" and "stopped" events also feed the spend
 * ledger. A Spot box's "EC2 Spot Instance Interruption Warning" and "EC2 Instance Rebalance Recommendation"
 * come here too, one notice each ({@link SpotNotices}).
 */
public final class StateChangeHandler implements RequestStreamHandler {
    static final String DETAIL_TYPE = "EC2 Instance State-change Notification";

    private final StateChangeNotices notices;
    private final SpotNotices spotNotices;

    public StateChangeHandler() {
        this(BoxConfig.fromEnvironment());
    }

    private StateChangeHandler(BoxConfig config) {
        this(AwsClients.ec2(), config, AwsClients.notifier(config), AwsClients.budget(config));
    }

    public StateChangeHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        this(ec2, config, notifier, MonthlyBudget.off(config));
    }

    /** With the spend ledger the "running" and "stopped" events feed. */
    public StateChangeHandler(Ec2Client ec2, BoxConfig config, Notifier notifier, MonthlyBudget budget) {
        this.notices = new StateChangeNotices(ec2, config, notifier, budget);
        this.spotNotices = new SpotNotices(ec2, config, notifier);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String expectation = "The state-change notifier expects an EventBridge '" + DETAIL_TYPE + "', '"
                + SpotNotices.INTERRUPTION_WARNING + "' or '" + SpotNotices.REBALANCE_RECOMMENDATION + "' event";
        Map<String, Object> event = Payloads.object(input.readAllBytes(), expectation);
        Map<String, Object> detail = Json.child(event, "detail");
        String detailType = event == null ? null : Json.text(event, "detail-type");
        if (event == null || !(DETAIL_TYPE.equals(detailType) || SpotNotices.handles(detailType))
                || Json.text(detail, "instance-id") == null) {
            throw new IllegalArgumentException(expectation + " with detail.instance-id. Nothing was sent.");
        }
        Instant time;
        try {
            time = Instant.parse(Objects.requireNonNullElse(Json.text(event, "time"), ""));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(expectation + " with an ISO-8601 time. Nothing was sent.");
        }
        String notice = SpotNotices.handles(detailType)
                ? spotNotices.onSpotEvent(detailType, Json.text(detail, "instance-id"),
                Json.text(detail, "instance-action"), time)
                : notices.onStateChange(Json.text(detail, "instance-id"),
                Objects.requireNonNullElse(Json.text(detail, "state"), ""), time);
        Log.line(context, notice == null ? "gpubox: not a managed box stopping; no notice" : "gpubox notice: " + notice);
        output.write(Replies.text(notice == null ? "no notice" : notice));
    }
}
