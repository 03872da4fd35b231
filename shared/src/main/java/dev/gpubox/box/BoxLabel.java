package dev.gpubox.box;

import software.amazon.awssdk.services.ec2.model.Instance;

/** How every reply and notice names a box: "GPU box NAME (TYPE)", the instance id when it has no Name tag. */
public final class BoxLabel {
    private BoxLabel() {
    }

    /** "GPU box lab-gpu (g5.xlarge)" */
    public static String of(String name, String instanceId, String instanceType) {
        return "GPU box " + shortName(name, instanceId) + " (" + instanceType + ")";
    }

    static String of(Instance box) {
        return of(BoxTags.name(box), box.instanceId(), box.instanceTypeAsString());
    }

    /** The Name tag, or the instance id: what a notice's subject calls the box. */
    static String shortName(String name, String instanceId) {
        return name == null ? instanceId : name;
    }

    static String shortName(Instance box) {
        return shortName(BoxTags.name(box), box.instanceId());
    }
}
