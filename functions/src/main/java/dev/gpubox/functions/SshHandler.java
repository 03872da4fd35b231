package dev.gpubox.functions;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.SshAccess;
import java.time.Clock;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * {@code POST /ssh?hours=N} opens port 22 on the box's security group to the caller's own address (API
 * Gateway's sourceIp, never a header) for N hours (default {@value SshAccess#DEFAULT_HOURS}).
 */
public final class SshHandler extends ApiHandler {
    private final SshAccess ssh;

    /** Used by Lambda: the container's clients and the function's environment. */
    public SshHandler() {
        super(Route.SSH);
        this.ssh = box.sshAccess();
    }

    public SshHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        this(ec2, config, notifier, Clock.systemUTC());
    }

    public SshHandler(Ec2Client ec2, BoxConfig config, Notifier notifier, Clock clock) {
        super(Route.SSH, ec2, config, notifier);
        this.ssh = new SshAccess(ec2, config, clock);
    }

    @Override
    ApiReply handle(ApiRequest request) {
        return Replies.ssh(ssh.open(request.sourceIp(), request.stringParam("hours")));
    }
}
