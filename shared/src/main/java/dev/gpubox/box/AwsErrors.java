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

    private AwsErrors() {
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
