package dev.gpubox.sim;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Immutable snapshots of simulator state, taken under its lock and rendered to XML outside it. */
final class Views {
    private Views() {
    }

    record Instance(String id, String reservationId, String type, String imageId, String keyName, String privateIp,
                    String publicIp, String state, int stateCode, Instant launchTime, Map<String, String> tags,
                    String stateReason, String spotRequestId) {
    }

    record Address(String allocationId, String publicIp, String instanceId, String associationId,
                   String privateIp, Map<String, String> tags) {
    }

    record StateChange(String instanceId, String previous, int previousCode, String current, int currentCode) {
    }

    record Page<T>(List<T> items, String nextToken) {
    }
}
