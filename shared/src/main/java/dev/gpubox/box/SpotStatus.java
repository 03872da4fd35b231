package dev.gpubox.box;

import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeSpotInstanceRequestsRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.SpotInstanceRequest;

/**
 * {@code /status}'s {@code spot} object for a Spot box (issue 18): the persistent request that keeps it, its
 * state and status code, and whether AWS interrupted the box. Only {@code GET /status} looks the request up
 * (DescribeSpotInstanceRequests, granted to the status function alone); an action's reply carries what the
 * instance itself says, with {@code requestState} and {@code requestStatus} null.
 *
 * @param requestState  "active", "disabled", … (EC2's request state); null when not looked up
 * @param requestStatus EC2's status code, e.g. "fulfilled", "marked-for-stop", "instance-stopped-no-capacity"
 * @param interrupted   EC2 stopped the box for a Spot interruption; only EC2 restarts it, when capacity returns
 */
public record SpotStatus(String requestId, String requestState, String requestStatus, boolean interrupted) {
    /** EC2's state reason on an instance it stopped for a Spot interruption. */
    static final String INTERRUPTED_REASON = "Server.SpotInstanceShutdown";
    /** The request's status code while EC2 is about to stop the box (the two-minute warning). */
    static final String MARKED_FOR_STOP = "marked-for-stop";
    /** The request's status code of a box EC2 stopped because it wanted the capacity back. */
    static final String STOPPED_NO_CAPACITY = "instance-stopped-no-capacity";

    /** What the instance alone says; null for an on-demand box. */
    static SpotStatus of(Instance box) {
        return SpotInstance.isSpot(box) ? new SpotStatus(SpotInstance.requestId(box), null, null, interrupted(box, null))
                : null;
    }

    /** With the request looked up; what the instance says when the look-up fails (status still answers). */
    static SpotStatus lookUp(Ec2Client ec2, Instance box) {
        SpotStatus plain = of(box);
        if (plain == null || plain.requestId() == null) {
            return plain;
        }
        try {
            SpotInstanceRequest request = Ec2Calls.call("look up the GPU box's Spot request (" + plain.requestId() + ")",
                    () -> ec2.describeSpotInstanceRequests(DescribeSpotInstanceRequestsRequest.builder()
                            .spotInstanceRequestIds(plain.requestId()).build())).spotInstanceRequests().stream()
                    .findFirst().orElse(null);
            if (request == null) {
                return plain;
            }
            String status = request.status() == null ? null : request.status().code();
            return new SpotStatus(plain.requestId(), request.stateAsString(), status, interrupted(box, status));
        } catch (BoxException e) {
            System.out.println("gpubox: the Spot request could not be read: " + e.getMessage());
            return plain;
        }
    }

    /** True when EC2 stopped (or is stopping) the box for an interruption: only EC2 starts it again. */
    static boolean interrupted(Instance box, String requestStatus) {
        String state = box.state() == null ? "" : box.state().nameAsString();
        boolean down = state.equals("stopped") || state.equals("stopping");
        String reason = box.stateReason() == null ? null : box.stateReason().code();
        return SpotInstance.isSpot(box) && down
                && (INTERRUPTED_REASON.equals(reason) || STOPPED_NO_CAPACITY.equals(requestStatus));
    }

    /** " (Spot request: instance-stopped-no-capacity)" when the status is known, else "". */
    String requestNote() {
        return requestStatus == null ? "" : " (Spot request: " + requestStatus + ")";
    }
}
