package dev.gpubox.sim;

/** Failures the simulator can inject, with the status, code and wording EC2 uses for them. */
public enum Fault {
    /** EC2's throttling answer; the SDK retries it with back-off. */
    THROTTLING(503, "RequestLimitExceeded", "Request limit exceeded."),
    INSUFFICIENT_CAPACITY(500, "InsufficientInstanceCapacity",
            "We currently do not have sufficient capacity in the Availability Zone you requested (us-west-2a)."
                    + " Our system will be working on provisioning additional capacity. You can currently get"
                    + " capacity by not specifying an Availability Zone in your request or choosing us-west-2b,"
                    + " us-west-2c."),
    VCPU_LIMIT(400, "VcpuLimitExceeded",
            "You have requested more vCPU capacity than your current vCPU limit of 0 allows for the instance"
                    + " bucket that the specified instance type belongs to. Please visit"
                    + " http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit."),
    INTERNAL_ERROR(500, "InternalError", "An internal error has occurred"),
    UNAVAILABLE(503, "Unavailable", "The server is overloaded and can't handle the request.");

    private final int status;
    private final String code;
    private final String message;

    Fault(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    Ec2Error error() {
        return new Ec2Error(status, code, message);
    }
}
