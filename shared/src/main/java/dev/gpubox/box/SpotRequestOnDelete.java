package dev.gpubox.box;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.EbsInstanceBlockDevice;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMappingSpecification;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.SpotInstanceRequest;

/**
 * What the stack's delete (StopBoxOnDelete) does to a Spot box after stopping it: make sure its persistent
 * request can never launch a second box, and that its disks survive.
 *
 * <p>The rules, from the EC2 user guide ("Spot request status", "Cancel a Spot Instance request",
 * "Behavior of Spot Instance interruptions"): CloudFormation never cancels the request (it is not a stack
 * resource); terminating a persistent request's instance reopens the request and EC2 launches a NEW box from
 * the AMI; cancelling a request whose instance is stopped makes EC2 terminate that stopped instance. So keeping
 * the request leaves a trap: the first "clean up" by terminating the retained box (the obvious thing to do)
 * starts a second, billed box. Cancelling it removes the trap for good, at the cost of the instance itself,
 * which EC2 then terminates; the work lives on the disks, so they are first set to outlive the instance
 * (DeleteOnTermination=false: gpubox's template sets that on the root disk, this checks every EBS disk and sets
 * it where it is not). The instance is never terminated by gpubox itself, and a disk is never touched.
 *
 * <p>On-demand boxes have no request: nothing happens to them here.
 */
public final class SpotRequestOnDelete {
    /** Request states in which the request can still launch or restart a box (the others are final). */
    static final Set<String> LIVE_STATES = Set.of("open", "active", "disabled");

    private SpotRequestOnDelete() {
    }

    /** A step that failed after the stop: the message says what was done and what the user does now. */
    public static final class Failure extends RuntimeException {
        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The delete hook's entry: looks the box up once (the DescribeInstances that tells a Spot box from an
     * on-demand one) and settles it as {@link #settle(Ec2Client, Instance, Supplier)} does. A box id that was
     * never recorded, or a box that no longer exists, has nothing to settle ("").
     */
    public static String settle(Ec2Client ec2, String instanceId, Supplier<AwsRequestOverrideConfiguration> budget) {
        if (!instanceId.startsWith("i-")) {
            return "";
        }
        List<Instance> found;
        try {
            AwsRequestOverrideConfiguration lookBudget = budget.get();
            found = ec2.describeInstances(r -> r.instanceIds(instanceId).overrideConfiguration(lookBudget))
                    .reservations().stream().flatMap(r -> r.instances().stream()).toList();
        } catch (AwsServiceException e) {
            if (errorCode(e).startsWith("InvalidInstanceID")) {
                return "";
            }
            throw e;
        }
        return found.isEmpty() ? "" : settle(ec2, found.get(0), budget);
    }

    /**
     * For a Spot box: keeps its disks, then cancels its request while it is stopping or stopped. Returns the
     * sentence for CloudFormation's reason ("" for an on-demand box). Each call's timeout comes from
     * {@code budget}; a failing step throws {@link Failure} naming the request and the way to finish by hand.
     */
    public static String settle(Ec2Client ec2, Instance box, Supplier<AwsRequestOverrideConfiguration> budget) {
        String requestId = SpotInstance.requestId(box);
        if (requestId == null) {
            return "";
        }
        String instanceId = box.instanceId();
        List<String> disks = new ArrayList<>();
        try {
            if (box.state() == null || box.state().name() != InstanceStateName.TERMINATED) {
                List<InstanceBlockDeviceMappingSpecification> toKeep = new ArrayList<>();
                for (InstanceBlockDeviceMapping mapping : box.blockDeviceMappings()) {
                    EbsInstanceBlockDevice ebs = mapping.ebs();
                    if (ebs == null) {
                        continue;
                    }
                    disks.add(ebs.volumeId());
                    if (!Boolean.FALSE.equals(ebs.deleteOnTermination())) {
                        toKeep.add(InstanceBlockDeviceMappingSpecification.builder().deviceName(mapping.deviceName())
                                .ebs(e -> e.volumeId(ebs.volumeId()).deleteOnTermination(false)).build());
                    }
                }
                if (!toKeep.isEmpty()) {
                    AwsRequestOverrideConfiguration keepBudget = budget.get();
                    ec2.modifyInstanceAttribute(r -> r.instanceId(instanceId).blockDeviceMappings(toKeep)
                            .overrideConfiguration(keepBudget));
                }
            }
        } catch (RuntimeException e) {
            throw new Failure("Stopped Spot box " + instanceId + " but could not keep its disks (" + e.getMessage()
                    + "), so its Spot request " + requestId + " was NOT cancelled: cancelling it terminates the box."
                    + " Follow docs/setup.md \"Deleting a Spot stack\" and delete the stack again.", e);
        }
        try {
            AwsRequestOverrideConfiguration lookBudget = budget.get();
            List<SpotInstanceRequest> found = ec2.describeSpotInstanceRequests(r -> r.spotInstanceRequestIds(requestId)
                    .overrideConfiguration(lookBudget)).spotInstanceRequests();
            String state = found.isEmpty() ? "gone" : found.get(0).stateAsString();
            if (!LIVE_STATES.contains(state)) {
                return " Its Spot request " + requestId + " is already " + state + "; it can launch no other box.";
            }
            AwsRequestOverrideConfiguration cancelBudget = budget.get();
            ec2.cancelSpotInstanceRequests(r -> r.spotInstanceRequestIds(requestId).overrideConfiguration(cancelBudget));
        } catch (RuntimeException e) {
            if (errorCode(e).startsWith("InvalidSpotInstanceRequestID")) {
                return " Its Spot request " + requestId + " no longer exists; it can launch no other box.";
            }
            throw new Failure("Stopped Spot box " + instanceId + " but could not cancel its Spot request " + requestId
                    + " (" + e.getMessage() + "). While that request lives, terminating the box makes EC2 launch a new"
                    + " one. Follow docs/setup.md \"Deleting a Spot stack\" and delete the stack again.", e);
        }
        return " Cancelled its Spot request " + requestId + " so that it can never launch a second box; EC2 now"
                + " terminates the stopped instance, and its disk" + (disks.size() == 1 ? " " : "s ")
                + String.join(", ", disks) + " remain" + (disks.size() == 1 ? "s" : "")
                + " (docs/setup.md \"Deleting a Spot stack\").";
    }

    private static String errorCode(RuntimeException e) {
        return e instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                && aws.awsErrorDetails().errorCode() != null ? aws.awsErrorDetails().errorCode() : "";
    }
}
