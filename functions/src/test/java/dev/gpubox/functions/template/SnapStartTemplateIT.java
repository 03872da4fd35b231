package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SnapStart as CloudFormation receives it (the SAM transform's output, from samtranslator): the API
 * functions snapshot their published versions, and API Gateway invokes the alias, which is what SnapStart
 * applies to; the scheduled functions keep invoking what their schedules target, without SnapStart.
 */
class SnapStartTemplateIT {
    static final List<String> API_FUNCTIONS = List.of("StatusFunction", "StartFunction", "StopFunction",
            "AttachEipFunction", "SnoozeFunction", "SshFunction");
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

    /** Lambda's limit on a version's Description (CloudFormation schema aws-lambda-version.json, maxLength). */
    static final int DESCRIPTION_LIMIT = 256;
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!]+)}");

    /**
     * The stale-alias bug: SAM names a published version by hashing Environment with its !Refs unresolved, so
     * a new ShutdownTime (or a replaced box, EIP or topic) updated $LATEST while the alias API Gateway calls
     * kept the old version. Each version's Description (create-only: a change publishes a new version and
     * moves the alias) must therefore name every resource and parameter the functions' Environment reads.
     */
    @Test
    void everyPublishedVersionChangesWithEverySettingOfTheEnvironment() {
        Set<String> settings = environmentReferences();
        assertTrue(settings.containsAll(List.of("GpuInstance", "ShutdownTime", "NoticesTopic")), settings.toString());
        List<String> versions = new ArrayList<>();
        resources.properties().forEach(entry -> {
            if (!entry.getValue().path("Type").asText().equals("AWS::Lambda::Version")) {
                return;
            }
            versions.add(entry.getKey());
            Set<String> described = subVariables(entry.getValue().path("Properties").path("Description")
                    .path("Fn::Sub").asText());
            for (String setting : settings) {
                assertTrue(described.contains(setting), entry.getKey() + "'s Description does not change with "
                        + setting + ", so a new value would leave the alias on the old version: " + described);
            }
        });
        assertEquals(API_FUNCTIONS.size(), versions.size(), "one published version per SnapStart function: " + versions);
    }

    /** The Description as Lambda receives it, with long but valid values, stays within Lambda's limit. */
    @Test
    void theVersionDescriptionFitsLambdasLimitForAStackNameOfSeventyEightCharacters() {
        String longestZone = ZoneId.getAvailableZoneIds().stream().max(Comparator.comparingInt(String::length))
                .orElseThrow();
        String stackName = "s".repeat(78); // 90 until MonthlyBudgetUsd, RootVolumeSize and MaxRunHours (issue 15)
        Map<String, String> values = new java.util.HashMap<>(Map.of("GpuInstance", "i-0123456789abcdef0",
                "ElasticIp.AllocationId", "eipalloc-0123456789abcdef0", "ShutdownTime", "23:59",
                "ShutdownTimezone", longestZone, "MaxSnoozeHours", "24", "LateStartHours", "24",
                "MaxRunHours", "167.75",
                "HourlyPriceUsd", "12.345", "SshUser", "u".repeat(32),
                // CloudFormation names a topic it creates STACK-LOGICALID-SUFFIX (13 characters).
                "NoticesTopic.TopicName", stackName + "-NoticesTopic-ABCDEFGHIJKLM"));
        values.put("MonthlyBudgetUsd", "99999");
        values.put("RootVolumeSize", "16384");
        resources.properties().forEach(entry -> {
            JsonNode sub = entry.getValue().path("Properties").path("Description").path("Fn::Sub");
            if (entry.getValue().path("Type").asText().equals("AWS::Lambda::Version")) {
                Matcher m = SUB_VARIABLE.matcher(sub.asText());
                String resolved = m.replaceAll(r -> Matcher.quoteReplacement(values.getOrDefault(r.group(1), "?")));
                assertTrue(!resolved.contains("?"), "a value this test does not size: " + sub.asText());
                assertTrue(resolved.length() <= DESCRIPTION_LIMIT, entry.getKey() + ": " + resolved.length()
                        + " characters would fail the deploy: " + resolved);
            }
        });
    }

    /**
     * What the functions' Environment (in Globals, before the transform) reads from the stack: the logical
     * id of each !Ref and !GetAtt, and each ${...} of a !Sub, as Resource or Resource.Attribute. AWS::
     * pseudo parameters (the stack's name, region, account) never change over a stack's life.
     */
    static Set<String> environmentReferences() {
        JsonNode variables = Template.TREE.path("Globals").path("Function").path("Environment").path("Variables");
        Set<String> references = new TreeSet<>();
        variables.forEach(value -> {
            if (value.has("Ref")) {
                references.add(value.get("Ref").asText());
            } else if (value.has("Fn::GetAtt")) {
                references.add(value.get("Fn::GetAtt").get(0).asText() + "." + value.get("Fn::GetAtt").get(1).asText());
            } else if (value.has("Fn::Sub")) {
                references.addAll(subVariables(value.get("Fn::Sub").asText()));
            } else if (!value.isTextual()) {
                throw new AssertionError("an Environment value this test cannot read: " + value);
            }
        });
        references.removeIf(name -> name.startsWith("AWS::"));
        return references;
    }

    /** ${Name} and ${Resource.Attribute} of a !Sub; a topic's name stands for its !Ref (its ARN ends with it). */
    private static Set<String> subVariables(String sub) {
        Set<String> names = new TreeSet<>();
        Matcher m = SUB_VARIABLE.matcher(sub);
        while (m.find()) {
            names.add(m.group(1));
            if (m.group(1).endsWith(".TopicName")) {
                names.add(m.group(1).substring(0, m.group(1).indexOf('.')));
            }
        }
        return names;
    }
}
