package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.ZoneTimes;
import java.time.zone.ZoneRulesProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Issue 15's template settings: MaxRunHours, and a ShutdownTimezone nobody gets without choosing it. */
class MoneySafetyThirdPassIT {
    static JsonNode parameter(String name) {
        return Template.TREE.path("Parameters").path(name);
    }

    static List<String> grouped() {
        List<String> grouped = new ArrayList<>();
        Template.TREE.path("Metadata").path("AWS::CloudFormation::Interface").path("ParameterGroups")
                .forEach(g -> g.path("Parameters").forEach(p -> grouped.add(p.asText())));
        return grouped;
    }

    @Test
    void maxRunHoursDefaultsToADayMayBeTurnedOffAndReachesEveryFunction() {
        JsonNode maxRun = parameter("MaxRunHours");
        assertEquals(24, maxRun.path("Default").asInt());
        assertEquals(0, maxRun.path("MinValue").asInt(), "0 turns the ceiling off");
        assertEquals(168, maxRun.path("MaxValue").asInt(), "the library refuses more than a week");
        assertTrue(maxRun.path("Description").asText().contains("0 turns the limit off (then a leaked key"),
                "the warning is where the parameter is set");
        assertTrue(grouped().contains("MaxRunHours"), "shown in the console's parameter groups");
        assertEquals("MaxRunHours", Template.TREE.path("Globals").path("Function").path("Environment")
                .path("Variables").path(BoxConfig.MAX_RUN_HOURS).path("Ref").asText());
    }

    @Test
    void shutdownTimezoneHasNoDefaultSoTheGuidedDeployAsks() {
        JsonNode zone = parameter("ShutdownTimezone");
        assertTrue(zone.path("Default").isMissingNode(), "no silent time zone: " + zone);
        assertTrue(zone.path("ConstraintDescription").asText().contains("./gpubox deploy proposes your laptop's"));
    }

    @Test
    void theZonesPatternTakesEveryIanaNameAndRefusesWhatIsNone() {
        Pattern pattern = Pattern.compile(EcmaPatterns.toJava(parameter("ShutdownTimezone").path("AllowedPattern").asText()));
        List<String> refused = new ArrayList<>();
        ZoneRulesProvider.getAvailableZoneIds().forEach(id -> {
            if (!pattern.matcher(id).matches()) {
                refused.add(id);
            }
        });
        assertEquals(List.of(), refused, "IANA names the pattern would refuse");
        for (String bad : List.of("", " America/New_York", "America/New York", "+08:00", "UTC+08:00", "America//X",
                "/Europe/Berlin")) {
            assertFalse(pattern.matcher(bad).matches(), "'" + bad + "' passes the pattern");
        }
        // What the pattern lets through, the check refuses: ShutdownTimezoneCheck uses this.
        assertFalse(ZoneTimes.isIanaZone("America/NewYork"));
        assertFalse(ZoneTimes.isIanaZone("UTC+8"));
        assertTrue(ZoneTimes.isIanaZone("America/Argentina/Buenos_Aires"));
    }

    @Test
    void theCheckIsServedByTheStopOnDeleteFunctionAndNeedsNoPermission() {
        JsonNode check = Template.resource("ShutdownTimezoneCheck");
        assertEquals("Custom::ShutdownTimezone", check.path("Type").asText());
        assertEquals("StopBoxOnDeleteFunction", check.path("Properties").path("ServiceToken").path("Fn::GetAtt").get(0).asText());
        assertEquals("ShutdownTimezone", check.path("Properties").path("Zone").path("Ref").asText());
        List<String> actions = new ArrayList<>();
        Template.resource("StopBoxOnDeleteFunction").path("Properties").path("Policies").forEach(p ->
                p.path("Statement").forEach(s -> actions.addAll(TransformedTemplateIT.strings(s.path("Action")))));
        // DescribeInstanceTypes is the FallbackInstanceTypes check's (issue 17.1); the Spot request's describe, disk
        // setting and cancel are a Spot box's delete (issue 18.4); the zone check adds nothing.
        assertEquals(List.of("ec2:DescribeInstances", "ec2:DescribeInstanceTypes", "ec2:DescribeSpotInstanceRequests",
                "ec2:StopInstances", "ec2:ModifyInstanceAttribute", "ec2:CancelSpotInstanceRequests"), actions,
                "no new permission");
    }

    @Test
    void theNightlyScheduleTakesItsZoneFromTheCheckSoABadNameFailsThereFirst() throws Exception {
        JsonNode cfn = AwsTools.transform(Template.FILE);
        JsonNode nightly = cfn.path("Resources").path("ScheduledStopFunctionNightly");
        assertEquals("AWS::Scheduler::Schedule", nightly.path("Type").asText());
        JsonNode zone = nightly.path("Properties").path("ScheduleExpressionTimezone");
        assertEquals("[\"ShutdownTimezoneCheck\",\"Zone\"]", zone.path("Fn::GetAtt").toString(), zone.toString());
    }

    /**
     * What ./gpubox rotate-key (and login after it) rely on in what CloudFormation receives: the usage plan
     * SAM generates is GpuApiUsagePlan, and the stack's own key is enabled by its template (so an update
     * that rewrites that key enables it again: docs/setup.md says to rotate again after one).
     */
    @Test
    void theUsagePlanAndKeyRotateKeyWorksWithAreWhereItLooks() throws Exception {
        JsonNode resources = AwsTools.transform(Template.FILE).path("Resources");
        assertEquals("AWS::ApiGateway::UsagePlan", resources.path("GpuApiUsagePlan").path("Type").asText());
        JsonNode key = resources.path("GpuApiApiKey");
        assertEquals("AWS::ApiGateway::ApiKey", key.path("Type").asText());
        assertTrue(key.path("Properties").path("Enabled").asBoolean(), key.toString());
        assertEquals("GpuApiApiKey", resources.path("GpuApiUsagePlanKey").path("Properties").path("KeyId").path("Ref").asText());
        String setup = SetupDocIT.section("## 5. Read your API key");
        assertTrue(setup.contains("`GpuApiUsagePlan`") && setup.contains("./gpubox rotate-key` after\n  such a deploy"),
                "docs/setup.md says what a stack update does to a rotated key");
    }
}
