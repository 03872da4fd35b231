package dev.gpubox.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/** One simulated Elastic IP. Mutated only under {@link Ec2State}'s lock. */
final class SimAddress {
    final String allocationId;
    final String publicIp;
    final Map<String, String> tags = new LinkedHashMap<>();
    String instanceId;
    String associationId;

    SimAddress(String allocationId, String publicIp) {
        this.allocationId = allocationId;
        this.publicIp = publicIp;
    }
}
