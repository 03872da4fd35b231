package dev.gpubox.box;

import java.time.Instant;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * EC2's two Spot events about the stack's box (issue 18 point 3), one notice each: the interruption warning
 * (about two minutes before EC2 stops the box; best effort) says what to save, and the rebalance
 * recommendation says the risk went up. EventBridge delivers them to the state-change function.
 */
public final class SpotNotices {
    public static final String INTERRUPTION_WARNING = "EC2 Spot Instance Interruption Warning";
    public static final String REBALANCE_RECOMMENDATION = "EC2 Instance Rebalance Recommendation";

    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Notifier notifier;

    public SpotNotices(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        this.ec2 = ec2;
        this.config = config;
        this.notifier = notifier;
    }

    /** True for the detail-types this class answers. */
    public static boolean handles(String detailType) {
        return INTERRUPTION_WARNING.equals(detailType) || REBALANCE_RECOMMENDATION.equals(detailType);
    }

    /**
     * @param instanceAction the warning's {@code instance-action} ("stop" for gpubox's box); null for a rebalance
     * @return the notice sent, or null when the instance is not this stack's box
     */
    public String onSpotEvent(String detailType, String instanceId, String instanceAction, Instant eventTime) {
        Instance box = StateChangeNotices.managedBox(ec2, config, instanceId);
        if (box == null) {
            return null;
        }
        String label = BoxLabel.of(box);
        String disk = " Work on the EBS disk (your home directory) survives"
                + (InstanceStore.has(box.instanceTypeAsString()) ? "; the instance store at " + InstanceStore.DLAMI_MOUNT
                + " is wiped, so copy what you need from there to the EBS disk now." : ".");
        String subject;
        String message;
        if (INTERRUPTION_WARNING.equals(detailType)) {
            String stops = "terminate".equals(instanceAction) ? "ends" : "stops";
            subject = "gpubox: AWS is taking " + BoxLabel.shortName(box) + " back";
            message = "AWS is taking the capacity of Spot " + label + " back: it " + stops + " at about "
                    + ZoneTimes.clock(eventTime.plusSeconds(120), config.policy().zone()) + " (in two minutes)."
                    + " Save your work now." + disk + " The box stops, it is not terminated, and AWS restarts it when"
                    + " capacity returns.";
        } else {
            subject = "gpubox: " + BoxLabel.shortName(box) + " may be interrupted";
            message = "AWS says Spot " + label + " is at higher risk of interruption (a rebalance recommendation):"
                    + " nothing stops yet, but checkpoint your work; an interruption comes with a two-minute warning."
                    + disk;
        }
        notifier.publish(subject, message);
        return message;
    }
}
