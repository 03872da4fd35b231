package dev.gpubox.cli.deploy;

/**
 * The deploy guard's word on switching UseSpot on an existing stack. A box becomes Spot only through its
 * LaunchTemplate, which is create-only on AWS::EC2::Instance: the switch (either way) is a replacement. It is
 * refused even with --allow-replacement, because a replacement here is worse than the others: switching a Spot
 * stack back to on-demand deletes the old box's StopBoxOnDelete resource, which cancels the old box's Spot request,
 * and EC2 then terminates that stopped box (its disk is kept, but no longer attached to anything). The way to move
 * is a new stack from an image of the box (docs/setup.md "Moving to or from Spot"), which never touches the old one.
 */
final class SpotSwitch {
    /** The box's property that only UseSpot sets (template.yaml, GpuInstance). */
    static final String PROPERTY = "LaunchTemplate";
    static final String DOC = "docs/setup.md \"Moving to or from Spot\"";

    private SpotSwitch() {
    }

    /** Whether the change set would replace a box because its launch template (UseSpot) changes. */
    static boolean switches(ReplacementGuard.Verdict verdict) {
        return verdict.dangers().stream().flatMap(box -> box.causes().stream())
                .anyMatch(cause -> PROPERTY.equals(cause.property()) || "UseSpot".equals(cause.parameter()));
    }

    /** The paragraph the refusal adds, or "" when UseSpot is not what changes. */
    static String explain(ReplacementGuard.Verdict verdict) {
        if (!switches(verdict)) {
            return "";
        }
        return "UseSpot changed: a box becomes Spot (or on-demand) only when it is created (its LaunchTemplate is\n"
                + "create-only), so switching an existing stack would replace the box. That is refused even with\n"
                + ReplacementGuard.ALLOW + ": moving a Spot stack back to on-demand would also cancel the old box's Spot\n"
                + "request, and EC2 then terminates the stopped old box. Keep UseSpot as this stack was created (put\n"
                + "its value back in samconfig.toml) and move your work to a NEW stack made from an image of the box:\n"
                + DOC + ".\n";
    }
}
