package dev.gpubox.box;

import java.util.Set;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Turns what the AWS SDK throws into a {@link BoxException} a person can act on. */
final class AwsErrors {
    static final int CAPACITY_RETRY_SECONDS = 300;
    static final int THROTTLE_RETRY_SECONDS = 10;
    static final int STATE_RETRY_SECONDS = 30;

    private static final Set<String> CAPACITY = Set.of(
            "InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity",
            "InsufficientReservedInstanceCapacity", "Unavailable", "ServiceUnavailable");
    private static final Set<String> THROTTLING = Set.of(
            "RequestLimitExceeded", "Throttling", "ThrottlingException", "RequestThrottled");
    private static final Set<String> QUOTA = Set.of(
            "VcpuLimitExceeded", "InstanceLimitExceeded", "PendingVerification");
    private static final Set<String> NOT_FOUND = Set.of(
            "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed", "InvalidAllocationID.NotFound");

    /**
     * EC2 state-reason codes of a box that stopped for a reason other than a start failing: a stop by a
     * person or tool, a shutdown on the box, a hibernation, AWS maintenance or a Spot interruption. Any other
     * reason on a box that went pending → stopped is a start EC2 accepted and then abandoned.
     */
    private static final Set<String> NOT_A_FAILED_START = Set.of(
            "Client.UserInitiatedShutdown", "Client.InstanceInitiatedShutdown", "Client.UserInitiatedHibernate",
            "Server.ScheduledStop", "Server.SpotInstanceShutdown", "Server.SpotInstanceTermination");
    /** State reasons that mean EC2 had no capacity for the start: the same answer as a refused start. */
    private static final Set<String> CAPACITY_STATE_REASONS = Set.of(
            "Server.InsufficientInstanceCapacity", "Server.InsufficientCapacity");

    private AwsErrors() {
    }

    /** True when a stopped box's state reason says a start failed (see {@link #NOT_A_FAILED_START}). */
    static boolean isFailedStart(String stateReasonCode) {
        return stateReasonCode != null && !NOT_A_FAILED_START.contains(stateReasonCode);
    }

    /**
     * Why a start EC2 accepted ended stopped again, in words a person can act on; {@code stateReasonCode} may
     * be null when EC2 gave none.
     */
    static String failedStartReason(String stateReasonCode, String stateReasonMessage) {
        String said = stateReasonMessage == null || stateReasonMessage.isBlank() ? String.valueOf(stateReasonCode)
                : stateReasonMessage.strip().replaceAll("\\.$", "");
        if (stateReasonCode == null) {
            return "EC2 gave no reason. Try again in a few minutes.";
        }
        return switch (stateReasonCode) {
            case "Server.InsufficientInstanceCapacity", "Server.InsufficientCapacity" ->
                    "AWS had no capacity for it (" + said + "). Nothing is billed for the attempt; try again in a few"
                            + " minutes or choose another InstanceType.";
            case "Server.InternalError" -> "an internal error at AWS (" + said + "). Try again in a few minutes.";
            case "Client.InternalError" -> "EC2 could not use its volumes, often because an EBS volume is"
                    + " encrypted with a KMS key the box may not use or that is disabled (" + said + "). Fix the key"
                    + " or its grants, then start it again.";
            case "Client.VolumeLimitExceeded" -> "the account's EBS volume limit is reached (" + said + ")."
                    + " Raise the limit or delete unused volumes, then start it again.";
            case "Client.InvalidSnapshot.NotFound" -> "a snapshot its volume needs no longer exists (" + said
                    + "). The box cannot start until its volume is restored.";
            default -> "EC2 gave the reason " + stateReasonCode + " (" + said + ").";
        };
    }

    /**
     * A start EC2 accepted and then abandoned: lack of capacity is the same {@code insufficient_capacity}
     * as a refused start; any other reason is an {@code aws_error} naming it.
     */
    static BoxException failedStart(String label, String stateReasonCode, String stateReasonMessage) {
        String message = "EC2 accepted the start of " + label + " but could not run it, so it is stopped again: "
                + failedStartReason(stateReasonCode, stateReasonMessage);
        if (stateReasonCode != null && CAPACITY_STATE_REASONS.contains(stateReasonCode)) {
            return new BoxException(ErrorCode.INSUFFICIENT_CAPACITY, message, null, CAPACITY_RETRY_SECONDS, null);
        }
        boolean awsSide = stateReasonCode == null || stateReasonCode.startsWith("Server.");
        return new BoxException(ErrorCode.AWS_ERROR, message, null, awsSide ? CAPACITY_RETRY_SECONDS : null, null);
    }

    /** @param action what gpubox was doing, e.g. "start the GPU box (i-0abc)" */
    static BoxException map(SdkException e, String action) {
        if (e instanceof AwsServiceException aws) {
            return mapService(aws, action);
        }
        if (e instanceof SdkClientException) {
            return new BoxException(ErrorCode.AWS_ERROR,
                    "Could not reach EC2 to " + action + ": " + firstLine(e.getMessage()),
                    null, THROTTLE_RETRY_SECONDS, e);
        }
        return new BoxException(ErrorCode.AWS_ERROR, "EC2 failed to " + action + ": " + firstLine(e.getMessage()),
                null, null, e);
    }

    private static BoxException mapService(AwsServiceException e, String action) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String awsMessage = e.awsErrorDetails() == null ? firstLine(e.getMessage())
                : firstLine(e.awsErrorDetails().errorMessage());
        String requestId = e.requestId();
        if (code != null && CAPACITY.contains(code)) {
            return new BoxException(ErrorCode.INSUFFICIENT_CAPACITY,
                    "AWS has no spare capacity for this instance type in this zone right now; try again in a few "
                            + "minutes (or change InstanceType). AWS said: " + awsMessage,
                    requestId, CAPACITY_RETRY_SECONDS, e);
        }
        if ((code != null && THROTTLING.contains(code)) || e.isThrottlingException()) {
            return new BoxException(ErrorCode.THROTTLED,
                    "EC2 is throttling requests; try again in a few seconds.", requestId, THROTTLE_RETRY_SECONDS, e);
        }
        if (code != null && QUOTA.contains(code)) {
            return new BoxException(ErrorCode.VCPU_QUOTA,
                    "Your AWS account's vCPU quota for this instance family is too low to " + action
                            + ". Request an increase of 'Running On-Demand G and VT instances' (or P instances) to at"
                            + " least 4 vCPUs in Service Quotas (see docs/setup.md). AWS said: " + awsMessage,
                    requestId, null, e);
        }
        if (code != null && NOT_FOUND.contains(code)) {
            return new BoxException(ErrorCode.NOT_FOUND,
                    "EC2 does not know this box: " + awsMessage, requestId, null, e);
        }
        if ("IncorrectInstanceState".equals(code)) {
            return new BoxException(ErrorCode.WRONG_STATE,
                    "The GPU box is not in a state to " + action + "; try again shortly. AWS said: " + awsMessage,
                    requestId, STATE_RETRY_SECONDS, e);
        }
        if ("UnauthorizedOperation".equals(code) || "AuthFailure".equals(code)) {
            return new BoxException(ErrorCode.AWS_ERROR,
                    "AWS denied gpubox permission to " + action + " (check the function's IAM policy). AWS said: "
                            + awsMessage, requestId, null, e);
        }
        return new BoxException(ErrorCode.AWS_ERROR,
                "EC2 failed to " + action + " (" + (code == null ? "HTTP " + e.statusCode() : code) + "): "
                        + awsMessage, requestId, e.statusCode() >= 500 ? THROTTLE_RETRY_SECONDS : null, e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no details";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
