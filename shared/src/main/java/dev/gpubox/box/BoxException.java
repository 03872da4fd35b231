package dev.gpubox.box;

/**
 * A failure with a human message that is safe to show as-is, and the fields a reply needs:
 * which {@link ErrorCode}, the AWS request id when AWS refused, and how long to wait before retrying.
 */
public final class BoxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode error;
    private final String awsRequestId;
    private final Integer retryAfterSeconds;

    public BoxException(ErrorCode error, String message) {
        this(error, message, null, null, null);
    }

    public BoxException(ErrorCode error, String message, String awsRequestId, Integer retryAfterSeconds,
                        Throwable cause) {
        super(message, cause, false, false);
        this.error = error;
        this.awsRequestId = awsRequestId;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ErrorCode error() {
        return error;
    }

    /** The request id AWS gave the failed call, for a support case; null when AWS was not involved. */
    public String awsRequestId() {
        return awsRequestId;
    }

    /** Seconds after which the same call may succeed; null when retrying will not help. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
