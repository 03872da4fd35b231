package dev.gpubox.box;

import java.util.List;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * RestorePreferredType (issue 17 point 1): a box the capacity fall-back moved to another type gets the
 * stack's InstanceType back once it is stopped, so the next start tries the preferred type first. The sweep
 * runs it every five minutes; EC2 changes a type only while the box is stopped, so a running box waits for
 * its stop. A failure is logged and tried again by the next sweep: it never keeps a box running.
 */
final class PreferredTypeRestore {
    private final CapacityFallback fallback;

    PreferredTypeRestore(CapacityFallback fallback) {
        this.fallback = fallback;
    }

    /** @return the ids of the boxes given their preferred type back */
    List<String> run(List<Instance> boxes) {
        return boxes.stream().filter(PreferredTypeRestore::due).filter(this::restore).map(Instance::instanceId).toList();
    }

    /** Stopped, asked to (the tag is "true"), and on another type than the stack's. */
    static boolean due(Instance box) {
        return "stopped".equals(box.state().nameAsString())
                && "true".equalsIgnoreCase(BoxTags.value(box, BoxTags.RESTORE_PREFERRED))
                && !CapacityFallback.preferred(box).equals(box.instanceTypeAsString());
    }

    private boolean restore(Instance box) {
        try {
            fallback.switchTo(box, CapacityFallback.preferred(box));
            System.out.println("gpubox: " + BoxLabel.of(box) + " is back to its InstanceType "
                    + CapacityFallback.preferred(box) + " (RestorePreferredType)");
            return true;
        } catch (BoxException e) {
            System.out.println("gpubox: could not give " + BoxLabel.of(box) + " its InstanceType back ("
                    + e.getMessage() + "); the next sweep tries again");
            return false;
        }
    }
}
