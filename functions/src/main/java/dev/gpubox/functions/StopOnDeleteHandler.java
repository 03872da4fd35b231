package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gpubox.box.AwsClients;
import dev.gpubox.box.SpotRequestOnDelete;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The stack's {@code StopBoxOnDelete} custom resource: when CloudFormation deletes it (stack delete, or
 * the cleanup after a forced replacement of the box) it stops — never terminates — the box it names, so
 * a retained box is never left running without its nightly stop. Create and Update only record the box.
 * A Spot box's persistent request is then cancelled, its disks kept ({@link SpotRequestOnDelete}), so that
 * no request is left that could launch a second box.
 *
 * <p>It answers CloudFormation's pre-signed URL in every case it can: a delete must never hang. A box
 * that is already gone, stopped or terminated is success; a box that cannot be stopped fails the delete
 * (while the schedules still exist) with the reason, so the user can act and retry.
 *
 * <p>It also serves the stack's {@link ShutdownTimezoneCheck}, which needs no AWS permission at all, and its
 * {@link FallbackTypesCheck}, which needs only ec2:DescribeInstanceTypes.
 */
public final class StopOnDeleteHandler implements RequestStreamHandler {
    private static final Set<InstanceStateName> NOTHING_TO_STOP = Set.of(InstanceStateName.STOPPED,
            InstanceStateName.STOPPING, InstanceStateName.TERMINATED, InstanceStateName.SHUTTING_DOWN);

    private final Ec2Client ec2;
    private final CustomResourceReply.Sender sender;

    public StopOnDeleteHandler() {
        this(AwsClients.ec2(), CustomResourceReply::put);
    }

    public StopOnDeleteHandler(Ec2Client ec2, CustomResourceReply.Sender sender) {
        this.ec2 = ec2;
        this.sender = sender;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Map<String, Object> event = Payloads.object(input.readAllBytes(), "StopBoxOnDelete expects a CloudFormation"
                + " custom resource event");
        String responseUrl = Json.text(event, "ResponseURL");
        String type = Json.text(event, "RequestType");
        if (responseUrl == null || type == null) {
            throw new IllegalArgumentException("StopBoxOnDelete expects a CloudFormation custom resource event"
                    + " with RequestType and ResponseURL. Nothing was stopped.");
        }
        boolean zone = ShutdownTimezoneCheck.handles(event);
        if (zone || FallbackTypesCheck.handles(event)) {
            // The stack's other custom resources: served here so that they need no function or role of their own.
            Map<String, Object> checked = zone ? ShutdownTimezoneCheck.reply(event) : FallbackTypesCheck.reply(event, ec2);
            byte[] reply = Json.bytes(checked);
            Log.line(context, "gpubox " + (zone ? "ShutdownTimezoneCheck " : "FallbackTypesCheck ") + type + ": "
                    + checked.get("Status") + " - " + checked.get("Reason"));
            sender.put(responseUrl, reply);
            output.write(reply);
            return;
        }
        String instanceId = textOr(Json.child(event, "ResourceProperties"), "InstanceId", "");
        String recordedId = Json.text(event, "PhysicalResourceId");
        String status = CustomResourceReply.SUCCESS;
        String reason;
        // The box's id is the physical id, so a new box (a forced replacement) makes CloudFormation send a
        // Delete for the old one: that old box is then stopped too.
        String physicalId = instanceId.isEmpty() ? (recordedId == null ? "gpubox-no-box" : recordedId) : instanceId;
        try {
            switch (type) {
                case "Create", "Update" -> reason = "Recorded box " + instanceId + "; it is stopped when this stack deletes it.";
                case "Delete" -> {
                    physicalId = recordedId == null ? physicalId : recordedId;
                    Instant deadline = deadline(context);
                    reason = stop(instanceId, deadline);
                    // A Spot box's request is cancelled, its disks kept (SpotRequestOnDelete says why).
                    reason += SpotRequestOnDelete.settle(ec2, instanceId, () -> timeLeft(deadline));
                }
                default -> {
                    status = CustomResourceReply.FAILED;
                    reason = "Unknown RequestType " + type + "; nothing was done.";
                }
            }
        } catch (SpotRequestOnDelete.Failure e) {
            // The box is stopped; only its Spot request is left, and the message says how to finish.
            status = CustomResourceReply.FAILED;
            reason = e.getMessage();
            Log.failure(context, "StopBoxOnDelete", e);
        } catch (RuntimeException e) {
            status = CustomResourceReply.FAILED;
            // Not POST /stop: the API is among what this delete removes.
            reason = "Could not stop box " + instanceId + " (" + e.getMessage() + "). It is still running and still"
                    + " stopped every night; stop it (aws ec2 stop-instances --instance-ids " + instanceId
                    + ", or the EC2 console) and delete the stack again.";
            Log.failure(context, "StopBoxOnDelete", e);
        }
        if (context != null && context.getLogStreamName() != null) {
            reason += " Log stream: " + context.getLogStreamName();
        }
        byte[] reply = Json.bytes(CustomResourceReply.body(event, status, reason, physicalId));
        Log.line(context, "gpubox StopBoxOnDelete " + type + ": " + status + " - " + reason);
        sender.put(responseUrl, reply);
        output.write(reply);
    }

    /**
     * When the EC2 calls must be done: the invocation's remaining time less the nightly stop's margin
     * ({@link ScheduledStopHandler#budgetFor}), kept to answer CloudFormation — a delete that never hears
     * back hangs until ServiceTimeout. Null without a Lambda context (the clients' own timeouts apply).
     */
    private static Instant deadline(Context context) {
        return context == null ? null : Instant.now().plus(ScheduledStopHandler.budgetFor(context.getRemainingTimeInMillis()));
    }

    /** Each call's timeout is what is left before the deadline; none left fails the delete with the reason. */
    private static AwsRequestOverrideConfiguration timeLeft(Instant deadline) {
        if (deadline == null) {
            return AwsRequestOverrideConfiguration.builder().build();
        }
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.toMillis() < 1) {
            throw new IllegalStateException("no time left to call EC2 before answering CloudFormation");
        }
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(left).build();
    }

    private String stop(String instanceId, Instant deadline) {
        if (!instanceId.startsWith("i-")) {
            return "No box recorded (" + instanceId + "); nothing to stop.";
        }
        try {
            AwsRequestOverrideConfiguration stopBudget = timeLeft(deadline);
            ec2.stopInstances(r -> r.instanceIds(instanceId).overrideConfiguration(stopBudget));
            return "Stopped box " + instanceId + " (kept with its disk; see docs/setup.md).";
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            if (code.startsWith("InvalidInstanceID")) {
                return "Box " + instanceId + " no longer exists; nothing to stop.";
            }
            if ("IncorrectInstanceState".equals(code)) {
                AwsRequestOverrideConfiguration lookBudget = timeLeft(deadline);
                InstanceStateName state = ec2.describeInstances(r -> r.instanceIds(instanceId).overrideConfiguration(lookBudget))
                        .reservations().get(0).instances().get(0).state().name();
                if (NOTHING_TO_STOP.contains(state)) {
                    return "Box " + instanceId + " is " + state + "; nothing to stop.";
                }
            }
            throw e;
        }
    }

    private static String textOr(Map<String, Object> object, String name, String fallback) {
        String value = Json.text(object, name);
        return value == null ? fallback : value;
    }
}
