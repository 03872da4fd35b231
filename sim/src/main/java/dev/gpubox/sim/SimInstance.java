package dev.gpubox.sim;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One simulated instance. Mutated only under {@link Ec2State}'s lock. */
final class SimInstance {
    final String id;
    final String reservationId;
    /** Changed only while stopped (ModifyInstanceAttribute), as EC2 allows. */
    String instanceType;
    final String imageId;
    final String keyName;
    final String privateIp;
    final Map<String, String> tags = new LinkedHashMap<>();
    String state;
    /** When a pending or stopping instance reaches its next state. */
    Instant transitionAt;
    Instant launchTime;
    /** The auto-assigned public address; null when stopped. An associated Elastic IP takes precedence. */
    String ephemeralIp;
    /** "Code: message", as EC2's stateReason element gives it; null when there is none. */
    String stateReason;
    /** This start goes pending, then falls back to stopped with this state reason ({@link Ec2State#failNextStarts}). */
    String startFailsWith;
    /** What the next DescribeInstances shows instead of the box (EC2's eventual consistency), or null. */
    Views.Instance staleView;

    SimInstance(String id, String reservationId, String instanceType, String imageId, String keyName,
                String privateIp, String state, Instant launchTime) {
        this.id = id;
        this.reservationId = reservationId;
        this.instanceType = instanceType;
        this.imageId = imageId;
        this.keyName = keyName;
        this.privateIp = privateIp;
        this.state = state;
        this.launchTime = launchTime;
    }

    int stateCode() {
        return switch (state) {
            case "pending" -> 0;
            case "running" -> 16;
            case "shutting-down" -> 32;
            case "terminated" -> 48;
            case "stopping" -> 64;
            case "stopped" -> 80;
            default -> throw new IllegalStateException(state);
        };
    }
}
