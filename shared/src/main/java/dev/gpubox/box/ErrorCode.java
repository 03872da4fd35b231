package dev.gpubox.box;

/** Every failure a caller can see, with the HTTP status and the stable {@code error} code of the JSON reply. */
public enum ErrorCode {
    BAD_REQUEST(400, "bad_request"),
    FORBIDDEN(403, "forbidden"),
    VCPU_QUOTA(403, "vcpu_quota"),
    ACCOUNT_PENDING_VERIFICATION(403, "account_pending_verification"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    WRONG_STATE(409, "wrong_state"),
    EIP_IN_USE(409, "eip_in_use"),
    BUDGET_REACHED(409, "budget_reached"),
    /** A snooze past the run's ceiling (MaxRunHours): no key holder may keep the box on longer. */
    RUN_LIMIT(409, "run_limit"),
    /** A start of a Spot box AWS interrupted: only EC2 restarts it, when capacity returns (issue 18). */
    SPOT_INTERRUPTED(409, "spot_interrupted"),
    /** POST /ssh: the box's security group is full (EC2's RulesPerSecurityGroupLimitExceeded). */
    SSH_RULE_LIMIT(409, "ssh_rule_limit"),
    INTERNAL(500, "internal_error"),
    MISCONFIGURED(500, "misconfigured"),
    AWS_ERROR(502, "aws_error"),
    INSUFFICIENT_CAPACITY(503, "insufficient_capacity"),
    THROTTLED(503, "throttled"),
    EC2_UNAVAILABLE(503, "ec2_unavailable");

    private final int httpStatus;
    private final String code;

    ErrorCode(int httpStatus, String code) {
        this.httpStatus = httpStatus;
        this.code = code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The value of the reply's {@code error} field. */
    public String code() {
        return code;
    }
}
