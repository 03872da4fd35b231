package dev.gpubox.functions;

import dev.gpubox.box.ZoneTimes;
import java.util.Map;

/**
 * The stack's {@code ShutdownTimezoneCheck} custom resource ({@code Custom::ShutdownTimezone}): the
 * parameter's AllowedPattern checks only the shape of the name, so this checks it against the IANA time
 * zone database at deploy time. The nightly schedule takes its zone from this resource's {@code Zone}
 * attribute, so a misspelt zone fails the deploy here, with a message naming the parameter, before the
 * schedule is made. It calls nothing in AWS; Delete does nothing.
 */
final class ShutdownTimezoneCheck {
    static final String RESOURCE_TYPE = "Custom::ShutdownTimezone";
    /** The same physical id whatever the zone: a changed zone is an update, never a replacement. */
    static final String PHYSICAL_ID = "gpubox-shutdown-timezone";

    private ShutdownTimezoneCheck() {
    }

    static boolean handles(Map<String, Object> event) {
        return RESOURCE_TYPE.equals(Json.text(event, "ResourceType"));
    }

    /** The reply CloudFormation gets: SUCCESS with {@code Data.Zone}, or FAILED with why. */
    static Map<String, Object> reply(Map<String, Object> event) {
        String type = Json.text(event, "RequestType");
        String zone = Json.text(Json.child(event, "ResourceProperties"), "Zone");
        if ("Delete".equals(type)) {
            return CustomResourceReply.body(event, CustomResourceReply.SUCCESS, "Nothing to delete.", PHYSICAL_ID);
        }
        if (!"Create".equals(type) && !"Update".equals(type)) {
            return CustomResourceReply.body(event, CustomResourceReply.FAILED,
                    "Unknown RequestType " + type + "; nothing was done.", PHYSICAL_ID);
        }
        if (!ZoneTimes.isIanaZone(zone)) {
            return CustomResourceReply.body(event, CustomResourceReply.FAILED, "ShutdownTimezone '" + zone
                    + "' is not a time zone of the IANA database (spelled exactly, e.g. America/New_York,"
                    + " Europe/Berlin, Asia/Shanghai; a fixed offset such as +08:00 is not one). Set it in"
                    + " samconfig.toml's parameter_overrides and deploy again; ./gpubox deploy proposes this"
                    + " laptop's zone.", PHYSICAL_ID);
        }
        Map<String, Object> reply = CustomResourceReply.body(event, CustomResourceReply.SUCCESS,
                "ShutdownTimezone " + zone + " is an IANA time zone.", PHYSICAL_ID);
        reply.put("Data", Map.of("Zone", zone));
        return reply;
    }
}
