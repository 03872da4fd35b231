package dev.gpubox.box;

import java.time.Instant;

/**
 * What {@code GET /status} reports: one snapshot of the box and its Elastic IP.
 *
 * @param publicIp          the address the box has now (equal to the Elastic IP when that is attached); null when stopped
 * @param elasticIp         the stack's Elastic IP, attached or not; null when none is configured
 * @param elasticIpAttached true when the Elastic IP is associated with this box
 * @param launchTime        when the box last started; null when not running
 * @param uptimeSeconds     seconds since {@code launchTime} while running; null otherwise
 * @param ssh               a ready-to-paste ssh command; null while the box has no address
 */
public record BoxStatus(String instanceId, String name, String instanceType, String state, String publicIp,
                        String elasticIp, boolean elasticIpAttached, Instant launchTime, Long uptimeSeconds,
                        String ssh) {

    /** The address to connect to: the Elastic IP when attached, else the current public IP. */
    public String address() {
        return elasticIpAttached ? elasticIp : publicIp;
    }

    /** One line for a phone notification. */
    public String summary() {
        String label = "GPU box " + (name == null ? instanceId : name) + " (" + instanceType + ")";
        return switch (state) {
            case "running" -> label + " is running at " + address()
                    + (uptimeText() == null ? "" : ", up " + uptimeText()) + ".";
            case "pending" -> label + " is starting" + (address() == null ? "." : "; it will be at " + address() + ".");
            case "stopping" -> label + " is stopping.";
            case "stopped" -> label + " is stopped" + (elasticIp == null ? "." : "; its address is " + elasticIp + ".");
            default -> label + " is " + state + ".";
        };
    }

    /** Uptime as a person says it ("42 min", "3 h 5 min"); null when not running. */
    public String uptimeText() {
        if (uptimeSeconds == null) {
            return null;
        }
        long minutes = uptimeSeconds / 60;
        return minutes < 60 ? minutes + " min" : (minutes / 60) + " h " + (minutes % 60) + " min";
    }
}
