package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.Ec2Clients;
import dev.gpubox.box.SweepReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The nightly stop, invoked by EventBridge Scheduler (empty payload) or a classic EventBridge scheduled
 * event. Stops every running box carrying the stack's management tag and logs one summary line.
 *
 * <p>It reads raw bytes because Scheduler may deliver no payload at all, which typed handlers reject. When
 * a box could not be stopped the invocation fails after logging, so Scheduler's retries and the
 * function's error metric see it.
 */
public final class ScheduledStopHandler implements RequestStreamHandler {
    private final BoxControl box;

    public ScheduledStopHandler() {
        this(Ec2Clients.shared(), BoxConfig.fromEnvironment());
    }

    public ScheduledStopHandler(Ec2Client ec2, BoxConfig config) {
        this.box = new BoxControl(ec2, config);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        requireScheduleEvent(new String(input.readAllBytes(), StandardCharsets.UTF_8));
        SweepReport report = box.stopAllManaged();
        Log.line(context, report.summary());
        output.write(Replies.JSON.writeValueAsBytes(report));
        if (report.hasFailures()) {
            throw new ScheduledStopFailed(report.summary());
        }
    }

    /** Accepts nothing, {@code null} or a JSON object; anything else was not sent by a schedule. */
    private static void requireScheduleEvent(String payload) {
        if (payload.isBlank()) {
            return;
        }
        try {
            JsonNode node = Replies.JSON.readTree(payload);
            if (node != null && node.has("httpMethod")) {
                throw new IllegalArgumentException("The scheduled stop is not behind the API; an API Gateway"
                        + " request reached it by mistake. Nothing was stopped.");
            }
            if (node == null || node.isNull() || node.isObject()) {
                return;
            }
        } catch (JsonProcessingException notJson) {
            // falls through to the rejection below
        }
        throw new IllegalArgumentException("The scheduled stop expects an EventBridge Scheduler payload or a"
                + " scheduled event (a JSON object); got: " + abbreviate(payload) + ". Nothing was stopped.");
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    /** Thrown after the summary is logged so the run counts as failed; it carries no stack trace. */
    static final class ScheduledStopFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ScheduledStopFailed(String summary) {
            super(summary, null, false, false);
        }
    }
}
