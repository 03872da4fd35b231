package dev.gpubox.local;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxTags;
import dev.gpubox.sim.Ec2State;
import java.util.Map;

/** What `sam deploy` would leave in an account, seeded into the simulator: one GPU box and its Elastic IP. */
public final class SeededBox {
    public static final String STACK = "gpubox-local";
    public static final String TAG_KEY = "gpubox:stack";

    private SeededBox() {
    }

    /** A stopped g4dn.xlarge tagged for the stack, with the stack's Elastic IP associated. */
    public static BoxConfig seed(Ec2State ec2) {
        return seed(ec2, "");
    }

    /** The same with the tags template.yaml sets for FallbackInstanceTypes and RestorePreferredType (empty list: none). */
    public static BoxConfig seed(Ec2State ec2, String fallbackTypes) {
        return seed(ec2, fallbackTypes, false);
    }

    /** A Spot box (issue 18, {@code --spot}): launched from a persistent request, as UseSpot=true deploys it. */
    public static BoxConfig seedSpot(Ec2State ec2) {
        return seed(ec2, "", true);
    }

    /** @param spot the box is a Spot instance with its persistent request ({@link dev.gpubox.sim.SpotRequests}) */
    public static BoxConfig seed(Ec2State ec2, String fallbackTypes, boolean spot) {
        Map<String, String> tags = new java.util.LinkedHashMap<>(Map.of("Name", STACK + "-gpu", TAG_KEY, STACK));
        if (!fallbackTypes.isEmpty()) {
            tags.putAll(Map.of(BoxTags.PREFERRED_TYPE, "g4dn.xlarge", BoxTags.FALLBACK_TYPES, fallbackTypes,
                    BoxTags.RESTORE_PREFERRED, "true"));
        }
        String box = spot ? ec2.seedSpotInstance("g4dn.xlarge", "my-laptop", "stopped", tags)
                : ec2.seedInstance("g4dn.xlarge", "my-laptop", "stopped", tags);
        String allocation = ec2.allocateAddress(Map.of(TAG_KEY, STACK));
        ec2.associateAddress(allocation, box, false);
        return new BoxConfig(box, allocation, TAG_KEY, STACK, BoxConfig.DEFAULT_SSH_USER);
    }
}
