package dev.gpubox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * How {@code ./gpubox up} gets ssh to the box: by default {@code POST /ssh}, which opens port 22 to the
 * network this laptop is on (so a new network needs no stack update), or with {@code --ssm} through
 * Session Manager, which needs no inbound rule at all (docs/phone-and-laptop.md).
 */
final class UpSsh {
    /** ssh's ProxyCommand through Session Manager: %h is the Host block's HostName (the instance id), %p 22. */
    static final String PROXY_COMMAND =
            "aws ssm start-session --target %h --document-name AWS-StartSSHSession --parameters portNumber=%p";

    private UpSsh() {
    }

    /** @throws Cli.Failure a usage failure for anything but nothing or {@code --ssm} */
    static boolean ssm(List<String> args) throws Cli.Failure {
        if (args.isEmpty()) {
            return false;
        }
        if (args.equals(List.of("--ssm"))) {
            return true;
        }
        throw new Cli.Failure(2, "up takes no arguments but --ssm (through Session Manager, no inbound port).");
    }

    /**
     * {@code POST /ssh}, before the wait for sshd. A refusal does not stop {@code up}: the stack may have a
     * permanent {@code SshCidr} rule, or predate the route; the wait for sshd then says whether SSH works.
     */
    static void allowThisNetwork(Cli cli, PrintStream out) throws IOException, InterruptedException {
        try {
            out.println(cli.call("POST", "ssh").path("message").asText());
        } catch (Cli.Failure refused) {
            out.println("  SSH not opened for this network: " + refused.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** The box's instance id from a /status or /start reply: Session Manager's target. */
    static String instanceId(JsonNode box) throws Cli.Failure {
        String id = box.path("instanceId").asText("");
        if (!id.startsWith("i-")) {
            throw new Cli.Failure(1, "the API did not name the box's instance id, which --ssm needs as HostName.");
        }
        return id;
    }
}
