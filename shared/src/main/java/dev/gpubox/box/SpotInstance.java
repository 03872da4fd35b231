package dev.gpubox.box;

import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;

/**
 * Whether a box is a Spot instance, and which request keeps it: read from the DescribeInstances gpubox makes
 * anyway (EC2 sets {@code InstanceLifecycle} and {@code SpotInstanceRequestId} on every Spot instance), so no
 * function needs a "UseSpot" setting in its environment. The one place that tells a Spot box from an
 * on-demand one.
 */
public final class SpotInstance {
    private SpotInstance() {
    }

    /** True when EC2 launched the box from a Spot request. */
    public static boolean isSpot(Instance instance) {
        return instance != null && instance.instanceLifecycle() == InstanceLifecycleType.SPOT;
    }

    /** The Spot request that keeps the box ("sir-…"), or null for an on-demand box. */
    public static String requestId(Instance instance) {
        return isSpot(instance) ? instance.spotInstanceRequestId() : null;
    }
}
