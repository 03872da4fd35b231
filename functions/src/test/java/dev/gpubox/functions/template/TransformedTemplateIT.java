package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What CloudFormation actually receives: template.yaml through the SAM transform (samtranslator, run once
 * for the class), checked resource by resource — including everything SAM generates (roles, the API's
 * stage, key and usage plan, the schedules' roles) that the YAML never shows.
 */
class TransformedTemplateIT {
    static final String TOPIC = "NoticesTopic";
    static JsonNode cfn;

    @BeforeAll
    static void transform() throws Exception {
        cfn = AwsTools.transform(Template.FILE);
    }

    static JsonNode resources() {
        return cfn.path("Resources");
    }

    static Map<String, JsonNode> ofType(String type) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        resources().properties().forEach(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                found.put(e.getKey(), e.getValue());
            }
        });
        return found;
    }

    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.isTextual() ? n.asText() : n.toString()));
        } else if (!node.isMissingNode()) {
            out.add(node.isTextual() ? node.asText() : node.toString());
        }
        return out;
    }

    /** Every statement a role may hold, including both branches of a conditional (Fn::If) statement. */
    static List<JsonNode> statements(JsonNode role) {
        List<JsonNode> all = new ArrayList<>();
        role.path("Properties").path("Policies").forEach(p -> p.path("PolicyDocument").path("Statement").forEach(s -> {
            if (s.has("Fn::If")) {
                for (int branch = 1; branch <= 2; branch++) {
                    JsonNode b = s.path("Fn::If").path(branch);
                    if (!"AWS::NoValue".equals(b.path("Ref").asText())) {
                        all.add(b);
                    }
                }
            } else {
                all.add(s);
            }
        }));
        return all;
    }

    static String roleOf(JsonNode function) {
        return function.path("Properties").path("Role").path("Fn::GetAtt").get(0).asText();
    }

    // ------------------------------------------------------------------ roles

    @Test
    void noGeneratedRoleGrantsAMutatingEc2ActionOnEverything() {
        Map<String, JsonNode> roles = ofType("AWS::IAM::Role");
        // The box's own role holds only AWS's policy for the SSM agent (OnBoxDeliveryIT), no statement.
        JsonNode boxRole = roles.remove("GpuInstanceRole");
        assertEquals("[{\"Fn::Sub\":\"arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore\"}]",
                boxRole.path("Properties").path("ManagedPolicyArns").toString());
        assertTrue(statements(boxRole).isEmpty());
        assertEquals(ofType("AWS::Lambda::Function").size() + ofType("AWS::Scheduler::Schedule").size(), roles.size(),
                "one role per function and one per schedule: " + roles.keySet());
        for (var role : roles.entrySet()) {
            for (String managed : strings(role.getValue().path("Properties").path("ManagedPolicyArns"))) {
                assertTrue(managed.endsWith(":policy/service-role/AWSLambdaBasicExecutionRole"),
                        role.getKey() + ": only the logging policy is managed, got " + managed);
            }
            for (JsonNode statement : statements(role.getValue())) {
                assertEquals("Allow", statement.path("Effect").asText());
                // An Allow with NotAction/NotResource grants everything else: the checks below would not see it.
                assertFalse(statement.has("NotAction") || statement.has("NotResource"),
                        role.getKey() + ": NotAction/NotResource in " + statement);
                for (String action : strings(statement.path("Action"))) {
                    assertFalse(action.contains("*"), role.getKey() + ": wildcard action " + action);
                    boolean describe = action.startsWith("ec2:Describe");
                    if (action.startsWith("ec2:") && !describe) {
                        assertFalse(strings(statement.path("Resource")).contains("*"),
                                role.getKey() + ": " + action + " on *");
                        // instance/* is every instance in the account: only with a condition (the stack's tag).
                        boolean everyInstance = strings(statement.path("Resource")).stream().anyMatch(r -> r.contains("instance/*"));
                        assertFalse(everyInstance && !statement.has("Condition"),
                                role.getKey() + ": " + action + " on every instance without a condition");
                    }
                    if (action.equals("ec2:TerminateInstances") || action.equals("ec2:ReleaseAddress")) {
                        fail(role.getKey() + " may " + action + ": nothing in gpubox terminates or releases");
                    }
                }
            }
        }
    }

    /**
     * Issue 17.1: the capacity fall-back changes the type of the stack's box and of nothing else: every
     * statement granting ec2:ModifyInstanceAttribute (or a start beside it) names that one instance, with no
     * other action that could change another resource.
     */
    @Test
    void onlyTheBoxItselfMayHaveItsTypeChanged() {
        String theBox = "{\"Fn::Sub\":\"arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/${GpuInstance}\"}";
        List<String> granted = new ArrayList<>();
        ofType("AWS::IAM::Role").forEach((id, role) -> statements(role).forEach(statement -> {
            if (statement.path("Sid").asText().equals("KeepTheDisksOfBoxesTaggedForThisStack")) {
                // The delete hook's, for a Spot box's disks (theDeleteHookMayCancelOnlyThisStacksSpotRequest).
                return;
            }
            if (strings(statement.path("Action")).contains("ec2:ModifyInstanceAttribute")) {
                granted.add(id);
                assertEquals("[" + theBox + "]", "[" + statement.path("Resource") + "]", id + ": the box alone");
                assertTrue(List.of("ec2:ModifyInstanceAttribute", "ec2:StartInstances")
                        .containsAll(strings(statement.path("Action"))), id + ": " + statement);
            }
        }));
        assertEquals(3, granted.size(), "the start, state-change and sweep roles: " + granted);
    }

    /**
     * Issue 17 point 2: POST /ssh and the sweep change ingress on the box's own group alone (the group's ARN,
     * never security-group/*), and only the SSH function may add a rule; the sweep may only take them away.
     */
    @Test
    void sshRulesChangeOnlyOnTheBoxGroupAndOnlySshMayAddThem() {
        String groupArn = "{\"Fn::Sub\":\"arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/"
                + "${GpuSecurityGroup.GroupId}\"}";
        Map<String, List<String>> ingressActions = new java.util.TreeMap<>();
        for (var role : ofType("AWS::IAM::Role").entrySet()) {
            for (JsonNode statement : statements(role.getValue())) {
                for (String action : strings(statement.path("Action"))) {
                    if (action.contains("SecurityGroupIngress") || action.contains("SecurityGroupRule")
                            && !action.startsWith("ec2:Describe")) {
                        assertEquals(List.of(groupArn), strings(statement.path("Resource")),
                                role.getKey() + ": " + action + " only on the box's group");
                        ingressActions.computeIfAbsent(role.getKey(), k -> new ArrayList<>()).add(action);
                    }
                }
            }
        }
        assertEquals(Map.of("ScheduledStopFunctionRole", List.of("ec2:RevokeSecurityGroupIngress"),
                        "SshFunctionRole", List.of("ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress")),
                ingressActions);
    }

    /**
     * Issue 18: /status reads a Spot box's request (DescribeSpotInstanceRequests), and so does the stack-delete
     * hook before it cancels that request. Like every Describe it has no resource scope, so it is granted on
     * '*' — to those two functions alone, in a statement of Describes.
     */
    @Test
    void onlyStatusAndTheDeleteHookMayReadSpotRequests() {
        List<String> granted = new ArrayList<>();
        ofType("AWS::IAM::Role").forEach((id, role) -> statements(role).forEach(statement -> {
            if (strings(statement.path("Action")).contains("ec2:DescribeSpotInstanceRequests")) {
                granted.add(id);
                assertEquals(List.of("*"), strings(statement.path("Resource")), id + ": " + statement);
                assertTrue(strings(statement.path("Action")).stream().allMatch(a -> a.startsWith("ec2:Describe")),
                        id + ": only Describe actions beside it: " + statement);
            }
        }));
        assertEquals(List.of("StatusFunctionRole", "StopBoxOnDeleteFunctionRole"), granted.stream().sorted().toList());
    }

    @Test
    void everyFunctionRunsWithItsOwnRole() {
        Set<String> roles = new LinkedHashSet<>();
        ofType("AWS::Lambda::Function").forEach((id, f) -> roles.add(roleOf(f)));
        assertEquals(ofType("AWS::Lambda::Function").size(), roles.size(), "no two functions share a role");
        assertTrue(roles.size() >= 8, "every function is in the transformed template: " + roles);
    }

    @Test
    void deleteTagsMustNameItsKeysSoItCannotStripTheStackTag() {
        int found = 0;
        for (var role : ofType("AWS::IAM::Role").entrySet()) {
            for (JsonNode statement : statements(role.getValue())) {
                if (!strings(statement.path("Action")).contains("ec2:DeleteTags")) {
                    continue;
                }
                found++;
                JsonNode condition = statement.path("Condition");
                assertEquals(List.of(role.getKey().startsWith("SchedulePause") ? "gpubox:schedule-paused-through"
                                : "gpubox:snooze-until"),
                        strings(condition.path("ForAllValues:StringEquals").path("aws:TagKeys")), role.getKey());
                // Without this, a DeleteTags call with no keys (which deletes every tag) matches ForAllValues.
                assertEquals("false", condition.path("Null").path("aws:TagKeys").asText(),
                        role.getKey() + ": DeleteTags must be called with tag keys");
            }
        }
        assertEquals(2, found, "only the snooze and the schedule-pause functions delete a tag (each its own)");
    }

    /**
     * Issue 14 point 5: with EbsKmsKeyArn set, and only then, the start role may create the grant EC2 needs
     * on that key to decrypt the box's volume at a start — a grant for an AWS resource, through EC2, to
     * Decrypt EBS data only — and no function may do anything else with KMS.
     */
    @Test
    void onlyTheStartRoleMayGrantEc2TheEbsKeyAndOnlyWhenOneIsNamed() {
        JsonNode parameter = cfn.path("Parameters").path("EbsKmsKeyArn");
        assertEquals("", parameter.path("Default").asText("missing"), "empty by default: today's behaviour");
        String startRole = roleOf(resources().path("StartFunction"));
        Map<String, JsonNode> grants = new LinkedHashMap<>();
        for (var role : ofType("AWS::IAM::Role").entrySet()) {
            for (JsonNode statement : statements(role.getValue())) {
                for (String action : strings(statement.path("Action"))) {
                    if (action.startsWith("kms:")) {
                        assertEquals("kms:CreateGrant", action, role.getKey());
                        grants.put(role.getKey(), statement);
                    }
                }
            }
        }
        // The morning start starts through the same path, so it needs the same grant (issue 17 point 4).
        assertEquals(Set.of(startRole, roleOf(resources().path("ScheduledStartFunction"))), grants.keySet(),
                "only the start roles create a grant");
        assertEquals(grants.get(startRole), grants.get(roleOf(resources().path("ScheduledStartFunction"))));
        JsonNode grant = grants.get(startRole);
        assertEquals("{\"Ref\":\"EbsKmsKeyArn\"}", grant.path("Resource").toString(), "that key only");
        JsonNode condition = grant.path("Condition");
        assertEquals("true", condition.path("Bool").path("kms:GrantIsForAWSResource").asText(),
                "a grant for an AWS resource (EC2), never one the function could use itself");
        assertEquals("{\"Fn::Sub\":\"ec2.${AWS::Region}.amazonaws.com\"}",
                condition.path("StringEquals").path("kms:ViaService").toString());
        assertEquals(List.of("Decrypt"),
                strings(condition.path("ForAllValues:StringEquals").path("kms:GrantOperations")));
        assertEquals(List.of("aws:ebs:id"),
                strings(condition.path("ForAllValues:StringEquals").path("kms:EncryptionContextKeys")));
        assertEquals("false", condition.path("Null").path("kms:GrantOperations").asText(),
                "ForAllValues holds for an empty list: the grant must name its operations");
        assertEquals("false", condition.path("Null").path("kms:EncryptionContextKeys").asText());

        // The statement is there only with a key: wrapped in Fn::If on HasEbsKmsKey, else nothing.
        JsonNode conditional = null;
        for (JsonNode policy : resources().path(startRole).path("Properties").path("Policies")) {
            for (JsonNode s : policy.path("PolicyDocument").path("Statement")) {
                if (s.has("Fn::If")) {
                    conditional = s.path("Fn::If");
                }
            }
        }
        assertNotNull(conditional, "the grant is conditional");
        assertEquals("HasEbsKmsKey", conditional.path(0).asText());
        assertEquals(grant, conditional.path(1));
        assertEquals("AWS::NoValue", conditional.path(2).path("Ref").asText());
        assertFalse(holds("HasEbsKmsKey", Map.of()), "no key, no grant");
        assertTrue(holds("HasEbsKmsKey", Map.of("EbsKmsKeyArn",
                "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")));
    }

    // ------------------------------------------------------------------ the API

    @Test
    void exactlyOneStageTheOneTheDocsNameWithTheKeyAndUsagePlanOnIt() {
        Map<String, JsonNode> stages = ofType("AWS::ApiGateway::Stage");
        assertEquals(1, stages.size(), "one stage: " + stages.keySet());
        String stageId = stages.keySet().iterator().next();
        JsonNode stage = stages.get(stageId).path("Properties");
        assertEquals("v1", stage.path("StageName").asText());
        assertTrue(cfn.path("Outputs").path("ApiUrl").toString().contains("/v1"), "ApiUrl names that stage");
        ofType("AWS::ApiGateway::Deployment").forEach((id, d) -> assertFalse(d.path("Properties").has("StageName"),
                id + " would create a second stage named " + d.path("Properties").path("StageName")));

        Map<String, JsonNode> usagePlans = ofType("AWS::ApiGateway::UsagePlan");
        assertEquals(1, usagePlans.size());
        String planId = usagePlans.keySet().iterator().next();
        JsonNode plan = usagePlans.get(planId).path("Properties");
        assertEquals(1, plan.path("ApiStages").size());
        assertEquals("GpuApi", plan.path("ApiStages").get(0).path("ApiId").path("Ref").asText());
        assertEquals(stageId, plan.path("ApiStages").get(0).path("Stage").path("Ref").asText());
        assertEquals("DAY", plan.path("Quota").path("Period").asText());
        assertTrue(plan.path("Throttle").has("RateLimit") && plan.path("Throttle").has("BurstLimit"));

        Map<String, JsonNode> keys = ofType("AWS::ApiGateway::ApiKey");
        assertEquals(1, keys.size());
        String keyId = keys.keySet().iterator().next();
        assertEquals("GpuApiApiKey", keyId, "the ApiKeyValueCommand output names this id");
        assertTrue(keys.get(keyId).path("Properties").path("Enabled").asBoolean());
        assertFalse(keys.get(keyId).path("Properties").has("Value"), "the key value is generated, never written");

        Map<String, JsonNode> planKeys = ofType("AWS::ApiGateway::UsagePlanKey");
        assertEquals(1, planKeys.size());
        JsonNode planKey = planKeys.values().iterator().next().path("Properties");
        assertEquals(keyId, planKey.path("KeyId").path("Ref").asText());
        assertEquals(planId, planKey.path("UsagePlanId").path("Ref").asText());
        assertEquals("API_KEY", planKey.path("KeyType").asText());
    }

    @Test
    void everyOperationOfTheApiRequiresTheKey() {
        JsonNode body = resources().path("GpuApi").path("Properties").path("Body");
        JsonNode scheme = body.has("openapi") ? body.path("components").path("securitySchemes").path("api_key")
                : body.path("securityDefinitions").path("api_key");
        assertEquals("header", scheme.path("in").asText());
        assertEquals("x-api-key", scheme.path("name").asText());
        Map<String, String> security = new TreeMap<>();
        for (var path : body.path("paths").properties()) {
            for (var operation : path.getValue().properties()) {
                security.put(operation.getKey().replace("x-amazon-apigateway-any-method", "ANY") + " "
                        + path.getKey(), operation.getValue().path("security").toString());
            }
        }
        // Only the phone panel's page is served without the key: it carries no secret, and every action
        // it calls is keyed.
        String keyed = "[{\"api_key\":[]}]";
        assertEquals(Map.of("get /", "[]", "ANY /status", keyed, "ANY /start", keyed, "ANY /stop", keyed,
                "ANY /eip", keyed, "ANY /snooze", keyed, "ANY /schedule/pause", keyed, "ANY /ssh", keyed), security);
    }

    /** The usage plan throttles keyed calls only; the keyless page gets the same limits at the stage. */
    @Test
    void theKeylessPanelIsThrottledAtTheStage() {
        Map<String, String> throttled = new TreeMap<>();
        ofType("AWS::ApiGateway::Stage").values().forEach(stage ->
                stage.path("Properties").path("MethodSettings").forEach(m -> throttled.put(
                        m.path("HttpMethod").asText() + " " + m.path("ResourcePath").asText(),
                        m.path("ThrottlingRateLimit").path("Ref").asText() + "/"
                                + m.path("ThrottlingBurstLimit").path("Ref").asText())));
        assertEquals(Map.of("GET /", "ApiRateLimit/ApiBurstLimit"), throttled);
    }

    // ------------------------------------------------------------------ schedules

    /** The nightly stop's schedules: the ones that target the scheduled-stop function. */
    static Map<String, JsonNode> stopSchedules() {
        Map<String, JsonNode> stop = new LinkedHashMap<>(ofType("AWS::Scheduler::Schedule"));
        stop.values().removeIf(s -> !s.path("Properties").path("Target").path("Arn").toString().contains("ScheduledStopFunction"));
        return stop;
    }

    /** What a schedule's role may do: each action and the resource it is granted on. */
    static Map<String, String> grantedTo(JsonNode schedule) {
        JsonNode target = schedule.path("Properties").path("Target");
        JsonNode role = resources().path(target.path("RoleArn").path("Fn::GetAtt").get(0).asText());
        assertEquals(List.of("scheduler.amazonaws.com"), strings(role.path("Properties").path("AssumeRolePolicyDocument")
                .path("Statement").get(0).path("Principal").path("Service")), "only Scheduler assumes it");
        Map<String, String> granted = new LinkedHashMap<>();
        for (JsonNode statement : statements(role)) {
            for (String action : strings(statement.path("Action"))) {
                assertTrue(granted.put(action, statement.path("Resource").toString()) == null, action + " twice");
            }
        }
        return granted;
    }

    @Test
    void eachScheduleMayInvokeTheStopAndDeadLetterAndNothingElse() {
        Map<String, JsonNode> schedules = stopSchedules();
        assertEquals(2, schedules.size(), "the nightly stop and the sweep");
        for (var schedule : schedules.entrySet()) {
            JsonNode target = schedule.getValue().path("Properties").path("Target");
            assertEquals("[\"ScheduledStopFunction\",\"Arn\"]", target.path("Arn").path("Fn::GetAtt").toString());
            assertEquals("[\"StopFailuresQueue\",\"Arn\"]",
                    target.path("DeadLetterConfig").path("Arn").path("Fn::GetAtt").toString(), schedule.getKey());
            assertTrue(target.path("RetryPolicy").path("MaximumRetryAttempts").asInt() > 0, schedule.getKey());
            Map<String, String> granted = grantedTo(schedule.getValue());
            assertEquals(Map.of(
                    "lambda:InvokeFunction", "{\"Fn::GetAtt\":[\"ScheduledStopFunction\",\"Arn\"]}",
                    "sqs:SendMessage", "{\"Fn::GetAtt\":[\"StopFailuresQueue\",\"Arn\"]}"), granted, schedule.getKey());
        }
    }

    static Map<String, JsonNode> morningSchedules() {
        Map<String, JsonNode> morning = new LinkedHashMap<>(ofType("AWS::Scheduler::Schedule"));
        morning.values().removeIf(s -> !s.path("Properties").path("Target").path("Arn").toString()
                .contains("ScheduledStartFunction"));
        return morning;
    }

    /**
     * Issue 17 point 4: the morning start exists only with StartTime set (its function, schedule and the
     * schedule's role all on HasStartTime); it fires at StartTime's HH:MM in the stack's zone (the checked
     * ShutdownTimezone), its role may invoke that function alone, and the function may start the box alone.
     */
    @Test
    void theMorningStartExistsOnlyWithStartTimeInTheStackZoneAndMayOnlyStartTheBox() {
        assertEquals("", cfn.path("Parameters").path("StartTime").path("Default").asText("missing"), "off by default");
        assertFalse(holds("HasStartTime", Map.of()), "no StartTime, no morning start");
        assertTrue(holds("HasStartTime", Map.of("StartTime", "08:30 Mon-Fri")));
        Map<String, JsonNode> schedules = morningSchedules();
        assertEquals(1, schedules.size(), "one morning-start schedule: " + schedules.keySet());
        JsonNode schedule = schedules.values().iterator().next();
        JsonNode function = resources().path("ScheduledStartFunction");
        String role = schedule.path("Properties").path("Target").path("RoleArn").path("Fn::GetAtt").get(0).asText();
        for (JsonNode conditional : List.of(schedule, function, resources().path(role),
                resources().path(roleOf(function)))) {
            assertEquals("HasStartTime", conditional.path("Condition").asText(), "created only with StartTime set");
        }
        JsonNode properties = schedule.path("Properties");
        assertEquals("{\"Fn::GetAtt\":[\"ShutdownTimezoneCheck\",\"Zone\"]}",
                properties.path("ScheduleExpressionTimezone").toString(), "in the stack's zone");
        String cron = properties.path("ScheduleExpression").toString();
        assertTrue(cron.contains("cron(${Minute} ${Hour} * * ? *)") && cron.contains("StartTime"), cron);
        assertEquals("[\"ScheduledStartFunction\",\"Arn\"]",
                properties.path("Target").path("Arn").path("Fn::GetAtt").toString());
        assertEquals(Map.of("lambda:InvokeFunction", "{\"Fn::GetAtt\":[\"ScheduledStartFunction\",\"Arn\"]}"),
                grantedTo(schedule), "the schedule's role may invoke the morning-start function and nothing else");
        Set<String> ec2Writes = new LinkedHashSet<>();
        for (JsonNode statement : statements(resources().path(roleOf(function)))) {
            for (String action : strings(statement.path("Action"))) {
                if (action.startsWith("ec2:") && !action.startsWith("ec2:Describe")) {
                    ec2Writes.add(action);
                    assertEquals("{\"Fn::Sub\":\"arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/"
                            + "${GpuInstance}\"}", statement.path("Resource").toString(), "the box alone");
                }
            }
        }
        assertEquals(Set.of("ec2:StartInstances"), ec2Writes, "what a start needs, nothing more");
    }

    /**
     * Issue 18.5: a Spot box is priced at its zone's Spot price (DescribeSpotPriceHistory), so exactly the
     * functions that state a price may read it — every API function whose reply carries the box's
     * {@code hourlyPriceUsd}, the morning start, the sweep (the ledger, the skip and failed-stop notices) and the
     * state-change function (the ledger, the stopped notice) — and nothing else. It is a read of AWS's public
     * prices with no resource scope, alone in its statement so nothing rides on its '*'.
     */
    @Test
    void exactlyTheFunctionsThatStateAPriceMayReadTheSpotPrice() {
        Set<String> readers = new java.util.TreeSet<>();
        ofType("AWS::Lambda::Function").forEach((id, function) -> {
            for (JsonNode statement : statements(resources().path(roleOf(function)))) {
                List<String> actions = strings(statement.path("Action"));
                if (actions.contains("ec2:DescribeSpotPriceHistory")) {
                    readers.add(id);
                    assertEquals(List.of("ec2:DescribeSpotPriceHistory"), actions, id + ": alone in its statement");
                    assertEquals(List.of("*"), strings(statement.path("Resource")), id);
                    assertFalse(statement.has("Condition"), id);
                }
            }
        });
        assertEquals(new java.util.TreeSet<>(List.of("StatusFunction", "StartFunction", "StopFunction",
                "AttachEipFunction", "SnoozeFunction", "SchedulePauseFunction", "ScheduledStartFunction",
                "ScheduledStopFunction", "StateChangeFunction")), readers);
    }

    /** The pause route's function may write its one tag on the box and nothing else in EC2. */
    @Test
    void thePauseMayOnlyTagTheBoxWithItsOwnKey() {
        JsonNode function = resources().path("SchedulePauseFunction");
        assertFalse(function.isMissingNode(), "the /schedule/pause function");
        boolean tags = false;
        for (JsonNode statement : statements(resources().path(roleOf(function)))) {
            for (String action : strings(statement.path("Action"))) {
                if (action.startsWith("ec2:") && !action.startsWith("ec2:Describe")) {
                    tags = true;
                    assertTrue(Set.of("ec2:CreateTags", "ec2:DeleteTags").contains(action), action);
                    assertEquals(List.of(dev.gpubox.box.BoxTags.SCHEDULE_PAUSED_THROUGH), strings(statement
                            .path("Condition").path("ForAllValues:StringEquals").path("aws:TagKeys")));
                    assertTrue(statement.path("Resource").toString().contains("instance/${GpuInstance}"), action);
                }
            }
        }
        assertTrue(tags, "it tags the box");
    }

    /**
     * Issue 14: SnapStart makes a published version Inactive after 14 days without an invoke, and the tap
     * that meets it gets API Gateway's bare 5xx. Every version the API calls (each API function's live
     * alias, never $LATEST) is invoked by a schedule of its own, with the keep-warm payload the handler
     * answers without EC2, by a role that may invoke that alias and nothing else.
     */
    @Test
    void everyAliasTheApiCallsIsKeptWarmByAScheduleThatMayInvokeOnlyThatAlias() {
        Map<String, JsonNode> keepWarm = new LinkedHashMap<>(ofType("AWS::Scheduler::Schedule"));
        keepWarm.keySet().removeAll(stopSchedules().keySet());
        keepWarm.keySet().removeAll(morningSchedules().keySet());
        Map<String, String> aliasOf = new TreeMap<>();
        ofType("AWS::Lambda::Alias").forEach((id, alias) -> aliasOf.put(
                alias.path("Properties").path("FunctionName").path("Ref").asText(), id));
        assertEquals(List.of("AttachEipFunction", "SnoozeFunction", "SshFunction", "StartFunction", "StatusFunction",
                        "StopFunction"), List.copyOf(aliasOf.keySet()), "the API's functions, each with its live alias");
        Map<String, String> kept = new TreeMap<>();
        for (var schedule : keepWarm.entrySet()) {
            JsonNode properties = schedule.getValue().path("Properties");
            JsonNode target = properties.path("Target");
            String alias = target.path("Arn").path("Ref").asText();
            assertTrue(aliasOf.containsValue(alias), schedule.getKey() + " must target a live alias, not the"
                    + " function ($LATEST, which SnapStart does not cover): " + target.path("Arn"));
            assertEquals(dev.gpubox.functions.KeepWarm.PAYLOAD, target.path("Input").asText(), schedule.getKey());
            assertTrue(target.path("RetryPolicy").path("MaximumRetryAttempts").asInt() > 0, schedule.getKey());
            assertFalse(properties.has("Name"), schedule.getKey() + ": a fixed name clashes with a second stack");
            assertEquals(Map.of("lambda:InvokeFunction", "{\"Ref\":\"" + alias + "\"}"), grantedTo(schedule.getValue()),
                    schedule.getKey() + " may invoke its alias and nothing else");
            // Inactive after 14 days: a schedule slower than that would not keep the version Active.
            java.util.regex.Matcher rate = java.util.regex.Pattern.compile("rate\\((\\d+) (minutes?|hours?|days?)\\)")
                    .matcher(properties.path("ScheduleExpression").asText());
            assertTrue(rate.matches(), schedule.getKey() + ": " + properties.path("ScheduleExpression"));
            long days = switch (rate.group(2).replaceAll("s$", "")) {
                case "day" -> Long.parseLong(rate.group(1));
                default -> 0;
            };
            assertTrue(days <= 3, schedule.getKey() + " runs every " + days + " days: a few days at most");
            kept.put(alias, schedule.getKey());
        }
        assertEquals(new java.util.TreeSet<>(aliasOf.values()), kept.keySet(), "one keep-warm schedule per alias: " + kept);
    }

    // ------------------------------------------------------------------ notices and alarms

    @Test
    void everyAlarmNotifiesTheTopic() {
        Map<String, JsonNode> alarms = ofType("AWS::CloudWatch::Alarm");
        assertTrue(alarms.size() >= 4);
        alarms.forEach((id, alarm) -> assertTrue(
                strings(alarm.path("Properties").path("AlarmActions")).contains("{\"Ref\":\"" + TOPIC + "\"}"),
                id + " must reach the user through " + TOPIC));
    }

    /**
     * CloudWatch alarms publish to the topic as cloudwatch.amazonaws.com; the functions as their roles.
     * If the topic is encrypted, its key's policy must let every one of them use the key: the AWS-managed
     * alias/aws/sns cannot grant CloudWatch, so an alarm notice to such a topic is dropped.
     */
    @Test
    void everyPublisherToTheTopicCanUseItsKey() {
        Set<String> alarmPublishers = new LinkedHashSet<>();
        Set<String> rolePublishers = new LinkedHashSet<>();
        Set<String> budgetPublishers = new LinkedHashSet<>();
        String topicRef = "{\"Ref\":\"" + TOPIC + "\"}";
        resources().properties().forEach(e -> {
            String type = e.getValue().path("Type").asText();
            JsonNode p = e.getValue().path("Properties");
            if (!p.toString().contains(topicRef) || e.getKey().equals(TOPIC)) {
                return;
            }
            switch (type) {
                case "AWS::CloudWatch::Alarm" -> alarmPublishers.add(e.getKey());
                case "AWS::IAM::Role" -> {
                    for (JsonNode statement : statements(e.getValue())) {
                        if (strings(statement.path("Action")).contains("sns:Publish")) {
                            assertEquals(topicRef, statement.path("Resource").toString(), e.getKey());
                            rolePublishers.add(e.getKey());
                        }
                    }
                }
                // A function only names the topic (GPUBOX_TOPIC_ARN); it publishes with its role, checked above.
                case "AWS::Lambda::Function" -> assertTrue(rolePublishers.contains(roleOf(e.getValue()))
                        || statements(resources().path(roleOf(e.getValue()))).stream()
                                .anyMatch(s -> strings(s.path("Action")).contains("sns:Publish"))
                        || !publishesNotices(e.getKey()), e.getKey() + " names the topic but may not publish");
                case "AWS::SNS::Subscription" -> { }
                // The AWS Budget publishes as budgets.amazonaws.com, which the topic policy allows (SpendLedgerTemplateIT).
                case "AWS::Budgets::Budget" -> budgetPublishers.add(e.getKey());
                case "AWS::SNS::TopicPolicy" -> { }
                default -> fail(e.getKey() + " (" + type + ") refers to the topic: a new kind of publisher this"
                        + " test must learn about");
            }
        });
        assertTrue(alarmPublishers.size() >= 4, "the alarms publish: " + alarmPublishers);
        assertTrue(rolePublishers.size() >= 4, "the functions that send notices: " + rolePublishers);

        JsonNode key = resources().path(TOPIC).path("Properties").path("KmsMasterKeyId");
        if (key.isMissingNode()) {
            return; // Not encrypted at rest (template.yaml says why): every publisher can publish.
        }
        String keyId = key.path("Ref").asText(key.path("Fn::GetAtt").path(0).asText(""));
        JsonNode cmk = resources().path(keyId);
        assertEquals("AWS::KMS::Key", cmk.path("Type").asText(), "the topic is encrypted with " + key
                + ", a key whose policy this stack does not control (alias/aws/sns cannot grant CloudWatch)");
        String policy = cmk.path("Properties").path("KeyPolicy").toString();
        assertTrue(policy.contains("cloudwatch.amazonaws.com") && policy.contains("kms:GenerateDataKey")
                && policy.contains("kms:Decrypt"), "the key policy must grant CloudWatch: " + policy);
        assertTrue(budgetPublishers.isEmpty() || policy.contains("budgets.amazonaws.com"),
                "the key policy must grant AWS Budgets too (" + budgetPublishers + "): " + policy);
        for (String role : rolePublishers) {
            assertTrue(policy.contains(role) || statements(resources().path(role)).stream()
                    .anyMatch(s -> strings(s.path("Action")).contains("kms:GenerateDataKey*")),
                    role + " publishes but may not use the topic's key");
        }
    }

    private static boolean publishesNotices(String function) {
        return !function.equals("StatusFunction") && !function.equals("AttachEipFunction")
                && !function.equals("SnoozeFunction") && !function.equals("StopBoxOnDeleteFunction")
                && !function.equals("PanelFunction") && !function.equals("SchedulePauseFunction")
                && !function.equals("SshFunction");
    }

    // ------------------------------------------------------------------ delete and update

    @Test
    void onlyTheBoxAndItsSecurityGroupOutliveTheStackAndNothingIsLeftToChance() {
        Set<String> retained = new LinkedHashSet<>();
        resources().properties().forEach(e -> {
            String policy = e.getValue().path("DeletionPolicy").asText();
            // SAM retains each published version (AutoPublishAlias, for SnapStart) so that an update never
            // deletes the version the alias still points at; deleting the function deletes its versions.
            boolean versionOfADeletedFunction = e.getValue().path("Type").asText().equals("AWS::Lambda::Version")
                    && resources().path(e.getValue().path("Properties").path("FunctionName").path("Ref").asText())
                            .path("DeletionPolicy").isMissingNode();
            if (policy.startsWith("Retain") && !versionOfADeletedFunction) {
                retained.add(e.getKey());
                // Plain Retain would also keep them when a failed first deploy rolls back: a running box nothing stops.
                assertEquals("RetainExceptOnCreate", policy, e.getKey());
                assertEquals("Retain", e.getValue().path("UpdateReplacePolicy").asText(), e.getKey());
            }
        });
        assertEquals(Set.of("GpuInstance", "GpuSecurityGroup"), retained, "what docs/setup.md says remains");
        for (String type : List.of("AWS::SQS::Queue", "AWS::Logs::LogGroup")) {
            ofType(type).forEach((id, r) -> {
                assertEquals("Delete", r.path("DeletionPolicy").asText(), id + ": chosen, not defaulted");
                assertEquals("Delete", r.path("UpdateReplacePolicy").asText(), id + ": chosen, not defaulted");
            });
        }
    }

    @Test
    void deletingTheStackFirstStopsTheBoxWhileItsNightlyStopStillExists() {
        JsonNode stop = resources().path("StopBoxOnDelete");
        assertEquals("AWS::CloudFormation::CustomResource", stop.path("Type").asText());
        assertEquals("GpuInstance", stop.path("Properties").path("InstanceId").path("Ref").asText());
        assertEquals("[\"StopBoxOnDeleteFunction\",\"Arn\"]",
                stop.path("Properties").path("ServiceToken").path("Fn::GetAtt").toString());
        assertTrue(stop.path("Properties").path("ServiceTimeout").asInt() <= 600, "a lost answer cannot hang a delete for an hour");
        // CloudFormation deletes a resource before everything it depends on.
        Set<String> dependsOn = new LinkedHashSet<>(strings(stop.path("DependsOn")));
        assertTrue(dependsOn.containsAll(stopSchedules().keySet()),
                "the schedules outlive the stop: " + dependsOn);
        assertTrue(dependsOn.contains("ElasticIpAssociation"), "stopped before the address is taken away");
        assertTrue(dependsOn.contains("StopBoxOnDeleteLogs"), "its log group is still there to log to");

        String handler = resources().path("StopBoxOnDeleteFunction").path("Properties").path("Handler").asText();
        assertEquals("dev.gpubox.functions.StopOnDeleteHandler::handleRequest", handler);
        JsonNode role = resources().path(roleOf(resources().path("StopBoxOnDeleteFunction")));
        for (JsonNode statement : statements(role)) {
            if (strings(statement.path("Action")).contains("ec2:StopInstances")) {
                assertEquals("{\"Ref\":\"AWS::StackName\"}",
                        statement.path("Condition").path("StringEquals").path("aws:ResourceTag/gpubox:stack").toString(),
                        "only this stack's boxes");
            }
        }
    }

    // ------------------------------------------------------------------ Spot (issue 18 points 1 and 4)

    static Map<String, JsonNode> boxWith(String useSpot) {
        Map<String, String> parameters = new java.util.HashMap<>(TemplateSchemaIT.REQUIRED);
        parameters.put("UseSpot", useSpot);
        return UpgradeIT.properties(cfn, "GpuInstance", parameters);
    }

    @Test
    void spotIsOptInAndOnlyASpotBoxNamesTheLaunchTemplate() {
        JsonNode parameter = cfn.path("Parameters").path("UseSpot");
        assertEquals("false", parameter.path("Default").asText(), "on-demand unless chosen");
        assertEquals(List.of("true", "false"), strings(parameter.path("AllowedValues")));
        assertFalse(boxWith("false").containsKey("LaunchTemplate"), "an on-demand box has no LaunchTemplate at all");
        JsonNode named = boxWith("true").get("LaunchTemplate");
        // The resolver stands in a physical id for a Ref to a resource.
        assertTrue(named.path("LaunchTemplateId").asText().contains("SpotLaunchTemplate"), named.toString());
        assertEquals("1", named.path("Version").asText(),
                "a fixed version: a box following LatestVersionNumber is replaced by any later edit of the template");

        JsonNode template = resources().path("SpotLaunchTemplate");
        assertEquals("AWS::EC2::LaunchTemplate", template.path("Type").asText());
        assertEquals("UseSpot", template.path("Condition").asText(), "no launch template on an on-demand stack");
        JsonNode market = template.path("Properties").path("LaunchTemplateData").path("InstanceMarketOptions");
        assertEquals("spot", market.path("MarketType").asText());
        JsonNode spot = market.path("SpotOptions");
        assertEquals("persistent", spot.path("SpotInstanceType").asText(), "only a persistent request can be stopped");
        assertEquals("stop", spot.path("InstanceInterruptionBehavior").asText(), "an interruption stops, never terminates");
        assertTrue(spot.path("MaxPrice").isMissingNode(), "AWS advises against a maximum price");
        // Without it the request ends after 7 days, and one that ends while the box is stopped terminates the box.
        assertTrue(spot.path("ValidUntil").asText().compareTo("2090") > 0, spot.toString());
        JsonNode tags = template.path("Properties").path("LaunchTemplateData").path("TagSpecifications");
        assertEquals("spot-instances-request", tags.path(0).path("ResourceType").asText());
        assertEquals("gpubox:stack", tags.path(0).path("Tags").path(0).path("Key").asText(),
                "the tag the delete hook's cancel is scoped by");
    }

    @Test
    void theSpotNoticesOfTheBoxAloneReachTheStateChangeFunction() {
        Map<String, String> rules = new TreeMap<>();
        ofType("AWS::Events::Rule").forEach((id, rule) -> {
            JsonNode pattern = rule.path("Properties").path("EventPattern");
            String type = pattern.path("detail-type").path(0).asText();
            if (type.contains("Spot") || type.contains("Rebalance")) {
                assertEquals(List.of("aws.ec2"), strings(pattern.path("source")), id);
                assertEquals("[{\"Ref\":\"GpuInstance\"}]", pattern.path("detail").path("instance-id").toString(),
                        id + ": the box's own events only");
                JsonNode target = rule.path("Properties").path("Targets").path(0).path("Arn").path("Fn::GetAtt");
                rules.put(type, target.path(0).asText());
            }
        });
        assertEquals(Map.of("EC2 Spot Instance Interruption Warning", "StateChangeFunction",
                "EC2 Instance Rebalance Recommendation", "StateChangeFunction"), rules);
    }

    @Test
    void theDeleteHookMayCancelOnlyThisStacksSpotRequestAndKeepOnlyThisStacksDisks() {
        Map<String, JsonNode> byAction = new TreeMap<>();
        ofType("AWS::IAM::Role").forEach((id, role) -> statements(role).forEach(statement -> {
            for (String action : strings(statement.path("Action"))) {
                if (action.equals("ec2:CancelSpotInstanceRequests")) {
                    assertEquals("StopBoxOnDeleteFunctionRole", id, "only the delete hook cancels a request");
                    byAction.put(action, statement);
                }
                if (action.equals("ec2:ModifyInstanceAttribute") && id.equals("StopBoxOnDeleteFunctionRole")) {
                    byAction.put(action, statement);
                }
            }
        }));
        JsonNode cancel = byAction.get("ec2:CancelSpotInstanceRequests");
        assertEquals(List.of("ec2:CancelSpotInstanceRequests"), strings(cancel.path("Action")));
        assertEquals("{\"Fn::Sub\":\"arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:spot-instances-request/*\"}",
                cancel.path("Resource").toString());
        JsonNode keep = byAction.get("ec2:ModifyInstanceAttribute");
        assertEquals(List.of("ec2:ModifyInstanceAttribute"), strings(keep.path("Action")));
        for (JsonNode statement : List.of(cancel, keep)) {
            assertEquals("{\"Ref\":\"AWS::StackName\"}",
                    statement.path("Condition").path("StringEquals").path("aws:ResourceTag/gpubox:stack").toString(),
                    "only what carries this stack's tag: " + statement);
        }
    }

    // ------------------------------------------------------------------ network defaults

    @Test
    void theExtraPortIsNeverOpenToTheWorldByDefault() {
        JsonNode cidr = cfn.path("Parameters").path("ExtraOpenPortCidr");
        assertEquals("", cidr.path("Default").asText(), "no default address range");
        assertTrue(cfn.path("Parameters").toString().indexOf("0.0.0.0/0") < 0, "no parameter defaults to the world");
        Map<String, JsonNode> rules = new java.util.LinkedHashMap<>();
        for (JsonNode ingress : resources().path("GpuSecurityGroup").path("Properties").path("SecurityGroupIngress")) {
            rules.put(ingress.path("Fn::If").get(0).asText(), ingress.path("Fn::If").get(1));
        }
        assertEquals("{\"Ref\":\"ExtraOpenPortCidr\"}", rules.get("ExtraPortToItsCidr").path("CidrIp").toString());
        assertEquals("{\"Ref\":\"SshCidr\"}", rules.get("ExtraPortToSshCidr").path("CidrIp").toString(),
                "empty means the SSH addresses, never the world");
    }

    @Test
    void theExtraPortRuleIsLeftOutWhereItWouldRepeatTheSshRule() {
        String ssh = "203.0.113.7/32";
        // EC2 refuses a second identical rule (InvalidPermission.Duplicate), which would fail the deploy.
        assertFalse(extraPortOpen(Map.of("ExtraOpenPort", "22", "SshCidr", ssh)), "port 22 for SshCidr is the SSH rule");
        assertFalse(extraPortOpen(Map.of("ExtraOpenPort", "22", "SshCidr", ssh, "ExtraOpenPortCidr", ssh)));
        assertTrue(extraPortOpen(Map.of("ExtraOpenPort", "22", "SshCidr", ssh, "ExtraOpenPortCidr", "198.51.100.0/24")));
        assertTrue(extraPortOpen(Map.of("ExtraOpenPort", "80", "SshCidr", ssh)));
        assertFalse(extraPortOpen(Map.of("SshCidr", ssh)), "0, the default, opens nothing");
        // Issue 17 point 2: SshCidr is optional. Without it, the extra port needs its own range; 22 is then no repeat.
        assertFalse(extraPortOpen(Map.of("ExtraOpenPort", "80")), "no SshCidr and no ExtraOpenPortCidr: open to no one");
        assertTrue(extraPortOpen(Map.of("ExtraOpenPort", "22", "ExtraOpenPortCidr", ssh)));
        assertFalse(holds("HasSshCidr", Map.of()), "no permanent SSH rule by default");
        assertFalse(holds("ExtraPortToItsCidr", Map.of("ExtraOpenPort", "80", "SshCidr", ssh))
                && holds("ExtraPortToSshCidr", Map.of("ExtraOpenPort", "80", "SshCidr", ssh)), "one rule at most");
    }

    private static boolean extraPortOpen(Map<String, String> parameters) {
        return holds("ExtraPortToItsCidr", parameters) || holds("ExtraPortToSshCidr", parameters);
    }

    /** Evaluates one of the template's Conditions as CloudFormation does, for these parameter values (else defaults). */
    static boolean holds(String condition, Map<String, String> parameters) {
        return holds(cfn.path("Conditions").path(condition), parameters);
    }

    private static boolean holds(JsonNode node, Map<String, String> parameters) {
        if (node.has("Condition")) {
            return holds(node.path("Condition").asText(), parameters);
        }
        if (node.has("Fn::Equals")) {
            JsonNode pair = node.path("Fn::Equals");
            return value(pair.get(0), parameters).equals(value(pair.get(1), parameters));
        }
        JsonNode args = node.has("Fn::Not") ? node.path("Fn::Not") : node.has("Fn::And") ? node.path("Fn::And") : node.path("Fn::Or");
        List<Boolean> values = new ArrayList<>();
        assertTrue(args.isArray() && !args.isEmpty(), "not a condition this evaluator knows: " + node);
        args.forEach(a -> values.add(holds(a, parameters)));
        return node.has("Fn::Not") ? !values.get(0) : node.has("Fn::And") ? !values.contains(false) : values.contains(true);
    }

    private static String value(JsonNode node, Map<String, String> parameters) {
        if (node.has("Ref")) {
            String name = node.path("Ref").asText();
            return parameters.getOrDefault(name, cfn.path("Parameters").path(name).path("Default").asText());
        }
        assertTrue(node.isValueNode(), "not a value this evaluator knows: " + node);
        return node.asText();
    }
}
