package dev.gpubox.sim;

/** An error EC2 would answer with: its HTTP status, its code and its message. */
public final class Ec2Error extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public Ec2Error(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static Ec2Error client(String code, String message) {
        return new Ec2Error(400, code, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
