package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SnapStart as CloudFormation receives it (the SAM transform's output, from samtranslator): the API
 * functions snapshot their published versions, and API Gateway invokes the alias, which is what SnapStart
 * applies to; the scheduled functions keep invoking what their schedules target, without SnapStart.
 */
class SnapStartTemplateIT {
    static final List<String> API_FUNCTIONS = List.of("StatusFunction", "StartFunction", "StopFunction",
            "AttachEipFunction", "SnoozeFunction");
    static JsonNode resources;

    @BeforeAll
    static void transform() throws Exception {
        resources = AwsTools.transform(Template.FILE).path("Resources");
    }

    @Test
    void apiFunctionsSnapshotTheirPublishedVersions() {
        for (String function : API_FUNCTIONS) {
            assertEquals("PublishedVersions", resources.path(function).path("Properties").path("SnapStart")
                    .path("ApplyOn").asText(), function);
            assertEquals("AWS::Lambda::Alias", resources.path(function + "Aliaslive").path("Type").asText(), function);
        }
    }

    @Test
    void theApiInvokesTheAliasNotLatest() {
        String api = resources.toString();
        for (String function : API_FUNCTIONS) {
            assertTrue(api.contains("functions/${" + function + "Aliaslive}/invocations"),
                    "API Gateway must invoke " + function + "'s alias (SnapStart applies to published versions)");
            assertTrue(!api.contains("functions/${" + function + ".Arn}/invocations"), function + " via $LATEST");
        }
    }

    @Test
    void scheduledFunctionsAreNotSnapStarted() {
        for (String function : List.of("ScheduledStopFunction", "StateChangeFunction")) {
            assertNull(resources.path(function).path("Properties").get("SnapStart"), function);
        }
    }
}
