package dev.gpubox.functions;

import dev.gpubox.box.BootCompatibility;
import dev.gpubox.box.BoxException;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The stack's {@code FallbackTypesCheck} custom resource ({@code Custom::FallbackInstanceTypes}): checks at
 * deploy time that every FallbackInstanceTypes type exists in the region and can boot the box's disk
 * (same architecture, ENA, NVMe: {@link BootCompatibility}), so a wrong list fails the deploy naming the
 * types and why, instead of the first sold-out morning. An empty list needs no EC2 call; Delete does nothing.
 */
final class FallbackTypesCheck {
    static final String RESOURCE_TYPE = "Custom::FallbackInstanceTypes";
    static final String PHYSICAL_ID = "gpubox-fallback-instance-types";

    private FallbackTypesCheck() {
    }

    static boolean handles(Map<String, Object> event) {
        return RESOURCE_TYPE.equals(Json.text(event, "ResourceType"));
    }

    /** The reply CloudFormation gets: SUCCESS, or FAILED with why. */
    static Map<String, Object> reply(Map<String, Object> event, Ec2Client ec2) {
        String type = Json.text(event, "RequestType");
        Map<String, Object> properties = Json.child(event, "ResourceProperties");
        String preferred = Json.text(properties, "InstanceType");
        List<String> fallbacks = BootCompatibility.parseList(Json.text(properties, "FallbackInstanceTypes"));
        if ("Delete".equals(type)) {
            return CustomResourceReply.body(event, CustomResourceReply.SUCCESS, "Nothing to delete.", PHYSICAL_ID);
        }
        if (!"Create".equals(type) && !"Update".equals(type)) {
            return CustomResourceReply.body(event, CustomResourceReply.FAILED,
                    "Unknown RequestType " + type + "; nothing was done.", PHYSICAL_ID);
        }
        String problems;
        try {
            problems = BootCompatibility.problems(ec2, preferred, fallbacks);
        } catch (BoxException e) {
            problems = "FallbackInstanceTypes could not be checked: " + e.getMessage();
        }
        if (problems != null) {
            return CustomResourceReply.body(event, CustomResourceReply.FAILED, problems, PHYSICAL_ID);
        }
        return CustomResourceReply.body(event, CustomResourceReply.SUCCESS, fallbacks.isEmpty()
                ? "No FallbackInstanceTypes: a start EC2 has no capacity for fails as before."
                : "FallbackInstanceTypes " + String.join(", ", fallbacks) + " can boot a disk made for " + preferred
                + ".", PHYSICAL_ID);
    }
}
