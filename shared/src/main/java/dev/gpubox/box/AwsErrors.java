package dev.gpubox.box;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns what the AWS SDK throws into a {@link BoxException} a person can act on: the one place an EC2
 * error's mapping lives. docs/api.md's "EC2 errors" table lists every code mapped here, and
 * Ec2ErrorTableTest walks that table through the simulator and the real SDK.
 *
 * <p>Each message leads with what happened and what to do (a phone notification shows ~120
 * characters); AWS's own words come last, as a short excerpt.
 */
final class AwsErrors {
    static final int CAPACITY_RETRY_SECONDS = 300;
    static final int THROTTLE_RETRY_SECONDS = 10;
    static final int STATE_RETRY_SECONDS = 30;
    static final int UNAVAILABLE_RETRY_SECONDS = 30;
    /** A Spot box's request settles within seconds of its stop (IncorrectSpotRequestState until then). */
    static final int SPOT_REQUEST_RETRY_SECONDS = 10;
    static final String SPOT_REQUEST_STATE = "IncorrectSpotRequestState";

    private static final Set<String> CAPACITY = Set.of(
            "InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity",
            "InsufficientReservedInstanceCapacity");
    /** EC2 itself overloaded: nothing to do with spare GPUs. */
    private static final Set<String> UNAVAILABLE = Set.of("Unavailable", "ServiceUnavailable");
    private static final Set<String> THROTTLING = Set.of(
            "RequestLimitExceeded", "Throttling", "ThrottlingException", "RequestThrottled");
    private static final Set<String> QUOTA = Set.of("VcpuLimitExceeded", "InstanceLimitExceeded");
    private static final Set<String> NOT_FOUND = Set.of(
            "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed", "InvalidAllocationID.NotFound");
    private static final Set<String> INTERNAL = Set.of("InternalError", "InternalFailure");
    private static final Pattern PERMISSION = Pattern.compile("\\b(?:ec2|dynamodb):[A-Za-z]+");

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

    /**
     * What {@code Client.InternalError} on a fall-back means in practice: EC2 could not decrypt the box's
     * volume, because the account's default EBS key is customer-managed and the start role may not create
     * the grant EC2 needs (template.yaml's {@code EbsKmsKeyArn}), or because that key is disabled.
     */
    static final String CLIENT_INTERNAL_ERROR = "EC2 could not use its encrypted volume's KMS key: if the"
            + " account's default EBS key (aws ec2 get-ebs-default-kms-key-id) is customer-managed, set the stack"
            + " parameter EbsKmsKeyArn to it and redeploy; if it is disabled, enable it";

    private AwsErrors() {
    }

    /** True when a stopped box's state reason says EC2 had no capacity for its start. */
    static boolean isCapacityStateReason(String stateReasonCode) {
        return stateReasonCode != null && CAPACITY_STATE_REASONS.contains(stateReasonCode);
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
            case "Client.InternalError" -> CLIENT_INTERNAL_ERROR + " (" + said + ").";
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
        if (isCapacityStateReason(stateReasonCode)) {
            return new BoxException(ErrorCode.INSUFFICIENT_CAPACITY, message, null, CAPACITY_RETRY_SECONDS, null);
        }
        boolean awsSide = stateReasonCode == null || stateReasonCode.startsWith("Server.");
        return new BoxException(ErrorCode.AWS_ERROR, message, null, awsSide ? CAPACITY_RETRY_SECONDS : null, null);
    }

    /** A start of a Spot box EC2 stopped for an interruption: refused before any StartInstances. */
    static BoxException spotInterrupted(String label) {
        return new BoxException(ErrorCode.SPOT_INTERRUPTED, label + " was interrupted by AWS; it restarts when"
                + " capacity returns. Only EC2 restarts an interrupted Spot instance, so gpubox does not start it:"
                + " its disk and address are kept; /status shows when it runs again.", null,
                CAPACITY_RETRY_SECONDS, null);
    }

    /** True when EC2 refused a start because the Spot request has not settled after a stop: retry shortly. */
    static boolean isSpotRequestSettling(BoxException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                    && SPOT_REQUEST_STATE.equals(aws.awsErrorDetails().errorCode())) {
                return true;
            }
        }
        return false;
    }

    /** @param action what gpubox was doing, e.g. "start the GPU box (i-0abc)" */
    static BoxException map(SdkException e, String action) {
        return map(e, action, "EC2", null);
    }

    /**
     * The same mapping for a call to another service (the spend ledger's DynamoDB), worded for it.
     *
     * @param service    the service's name as the user knows it, e.g. "DynamoDB"
     * @param permission the IAM action the call needs, named when AWS's message does not say; null for EC2's
     */
    static BoxException map(SdkException e, String action, String service, String permission) {
        if (e instanceof AwsServiceException aws) {
            return mapService(aws, action, service, permission);
        }
        if (e instanceof SdkClientException) {
            return new BoxException(ErrorCode.AWS_ERROR,
                    "Could not reach " + service + " to " + action + "; try again in a minute. " + Quote.upstream(e.getMessage()),
                    null, THROTTLE_RETRY_SECONDS, e);
        }
        return new BoxException(ErrorCode.AWS_ERROR, service + " failed to " + action + ": "
                + Quote.upstream(e.getMessage()), null, null, e);
    }

    private static BoxException mapService(AwsServiceException e, String action, String service, String permission) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String aws = Quote.upstream(e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage());
        String awsSaid = aws.isEmpty() ? "" : " AWS said: " + aws;
        String requestId = e.requestId();
        // The SDK does not read EC2's error envelope on a 401; EC2 answers 401 only with AuthFailure.
        String c = code != null ? code : e.statusCode() == 401 ? "AuthFailure" : "";
        if (CAPACITY.contains(c) && aws.contains("Spot capacity")) {
            return new BoxException(ErrorCode.INSUFFICIENT_CAPACITY,
                    "AWS has no Spot capacity for this Spot box's type in its zone right now; try again in 5-10"
                            + " minutes (a Spot box keeps its type, so FallbackInstanceTypes does not apply)." + awsSaid,
                    requestId, CAPACITY_RETRY_SECONDS, e);
        }
        if (CAPACITY.contains(c)) {
            return new BoxException(ErrorCode.INSUFFICIENT_CAPACITY,
                    "AWS has no spare GPUs of this type in the box's zone right now; try again in 5-10 minutes."
                            + " (If it lasts for hours, another InstanceType needs a redeploy.)" + awsSaid,
                    requestId, CAPACITY_RETRY_SECONDS, e);
        }
        if (UNAVAILABLE.contains(c)) {
            return new BoxException(ErrorCode.EC2_UNAVAILABLE,
                    service + " is overloaded and could not " + action + "; try again in a minute." + awsSaid,
                    requestId, UNAVAILABLE_RETRY_SECONDS, e);
        }
        if (THROTTLING.contains(c) || e.isThrottlingException()) {
            return new BoxException(ErrorCode.THROTTLED,
                    service + " is throttling requests; try again in a few seconds.", requestId, THROTTLE_RETRY_SECONDS, e);
        }
        if ("PendingVerification".equals(c)) {
            return new BoxException(ErrorCode.ACCOUNT_PENDING_VERIFICATION,
                    "Your AWS account is still being verified, so EC2 cannot " + action + " yet; this usually"
                            + " takes minutes, at most 4 hours. Try again later (AWS emails you when it is done)."
                            + awsSaid, requestId, null, e);
        }
        if (QUOTA.contains(c)) {
            return new BoxException(ErrorCode.VCPU_QUOTA,
                    "Your AWS account's vCPU quota for this instance family is too low to " + action
                            + ". Request an increase of 'Running On-Demand G and VT instances' (or P instances) to at"
                            + " least 4 vCPUs in Service Quotas (see docs/setup.md)." + awsSaid,
                    requestId, null, e);
        }
        if (NOT_FOUND.contains(c)) {
            return new BoxException(ErrorCode.NOT_FOUND, "EC2 does not know this box or address." + awsSaid,
                    requestId, null, e);
        }
        if (SPOT_REQUEST_STATE.equals(c)) {
            return new BoxException(ErrorCode.WRONG_STATE, "EC2 cannot " + action + " yet: the box's Spot request"
                    + " is still settling after its stop; try again in " + SPOT_REQUEST_RETRY_SECONDS + " seconds."
                    + awsSaid, requestId, SPOT_REQUEST_RETRY_SECONDS, e);
        }
        if ("IncorrectInstanceState".equals(c)) {
            return new BoxException(ErrorCode.WRONG_STATE,
                    "EC2 cannot " + action + " in its current state; try again shortly." + awsSaid,
                    requestId, STATE_RETRY_SECONDS, e);
        }
        if ("Resource.AlreadyAssociated".equals(c)) {
            return new BoxException(ErrorCode.EIP_IN_USE, "The Elastic IP was just attached to another instance;"
                    + " call /eip?force=true to move it to the GPU box." + awsSaid, requestId, null, e);
        }
        if ("UnauthorizedOperation".equals(c) || c.startsWith("AccessDenied")) {
            return new BoxException(ErrorCode.MISCONFIGURED, "gpubox's IAM role lacks " + permission(aws, action, permission)
                    + " (needed to " + action + "); redeploy the stack's template, which grants it." + awsSaid,
                    requestId, null, e);
        }
        if ("AuthFailure".equals(c)) {
            return new BoxException(ErrorCode.MISCONFIGURED, "AWS did not accept gpubox's credentials to " + action
                    + "; check the function's role (or, locally, your AWS credentials)." + awsSaid, requestId, null, e);
        }
        if (INTERNAL.contains(c) || "InternalServerError".equals(c)) { // DynamoDB's name for it
            return new BoxException(ErrorCode.AWS_ERROR, service + " had an internal error and could not " + action
                    + "; try again in a minute." + awsSaid, requestId, THROTTLE_RETRY_SECONDS, e);
        }
        boolean serverSide = e.statusCode() >= 500;
        return new BoxException(ErrorCode.AWS_ERROR,
                service + " failed to " + action + " (" + (code == null ? "HTTP " + e.statusCode() : Quote.excerpt(code, 60))
                        + ")" + (serverSide ? "; try again in a minute." : ".") + awsSaid,
                requestId, serverSide ? THROTTLE_RETRY_SECONDS : null, e);
    }

    /**
     * The permission AWS names ("... is not authorized to perform: ec2:StartInstances ..."), or the one
     * gpubox knows it needs for the action when AWS's message does not say.
     */
    private static String permission(String awsMessage, String action, String needed) {
        Matcher named = PERMISSION.matcher(awsMessage);
        if (named.find()) {
            return named.group();
        }
        if (needed != null) {
            return needed;
        }
        String a = action.toLowerCase(java.util.Locale.ROOT);
        if (a.startsWith("start")) {
            return "ec2:StartInstances";
        }
        if (a.startsWith("stop")) {
            return "ec2:StopInstances";
        }
        if (a.startsWith("attach")) {
            return "ec2:AssociateAddress";
        }
        if (a.contains("elastic ip")) {
            return "ec2:DescribeAddresses";
        }
        if (a.startsWith("snooze") || a.startsWith("mark")) {
            return "ec2:CreateTags";
        }
        if (a.startsWith("cancel")) {
            return "ec2:DeleteTags";
        }
        return a.startsWith("look up") || a.startsWith("list") ? "ec2:DescribeInstances" : "an EC2 permission";
    }
}
