package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** What template.yaml must promise: the artifact, the routes, least privilege and the box's data safety. */
class TemplateIT {
    static final Pattern DOC_ROUTE = Pattern.compile("^#{2,4} `(GET|POST|PUT|PATCH|DELETE) (/[^`\\s]*)`",
            Pattern.MULTILINE);
    static final Set<String> MUTATING_EC2 = Set.of("ec2:StartInstances", "ec2:StopInstances",
            "ec2:AssociateAddress", "ec2:DisassociateAddress", "ec2:TerminateInstances", "ec2:RunInstances",
            "ec2:ModifyInstanceAttribute", "ec2:CreateTags", "ec2:DeleteTags", "ec2:ReleaseAddress",
            "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:CancelSpotInstanceRequests");

    // ------------------------------------------------------------------ the artifact

    @Test
    void everyFunctionsHandlerIsAHandlerClassInTheBuiltJar() throws Exception {
        List<String> functions = Template.ofType("AWS::Serverless::Function");
        assertEquals(12, functions.size(),
                "status, start, stop, attach-EIP, snooze, ssh, the scheduled stop, the notices, the stop on stack"
                        + " delete, the phone panel, the schedule pause, the morning start");
        Path jar = Template.REPO.resolve(Template.functionProperty(functions.get(0), "CodeUri").asText());
        assertTrue(Files.isRegularFile(jar), "CodeUri " + jar + " must be what `mvn package` builds");
        try (ZipFile zip = new ZipFile(jar.toFile());
             URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            for (String function : functions) {
                assertEquals(jar, Template.REPO.resolve(Template.functionProperty(function, "CodeUri").asText()),
                        function + " runs from the one jar");
                String handler = Template.functionProperty(function, "Handler").asText();
                String className = handler.split("::")[0];
                assertNotNull(zip.getEntry(className.replace('.', '/') + ".class"), function + ": " + handler);
                Class<?> type = Class.forName(className, false, loader);
                Class<?> requestHandler = Class.forName(RequestHandler.class.getName(), false, loader);
                Class<?> streamHandler = Class.forName(RequestStreamHandler.class.getName(), false, loader);
                assertTrue(requestHandler.isAssignableFrom(type) || streamHandler.isAssignableFrom(type),
                        className + " must implement a Lambda handler interface");
                assertNotNull(type.getConstructor(), className + " needs the public no-arg constructor Lambda calls");
                assertEquals("handleRequest", handler.split("::")[1]);
            }
            assertTrue(zip.stream().noneMatch(e -> e.getName().startsWith("io/netty/")
                    || e.getName().startsWith("org/apache/http/")), "no netty or apache HTTP client in the jar");
        }
    }

    @Test
    void samBuildSkipsEveryFunctionBuiltByMaven() {
        for (String function : Template.ofType("AWS::Serverless::Function")) {
            assertTrue(Template.resource(function).path("Metadata").path("SkipBuild").asBoolean(),
                    function + ": without Metadata.SkipBuild, `sam build` fails on a jar CodeUri");
        }
        assertEquals("java21", Template.TREE.path("Globals").path("Function").path("Runtime").asText());
    }

    // ------------------------------------------------------------------ the API

    @Test
    void everyDocumentedRouteIsInTheTemplateWithTheApiKeyRequired() throws IOException {
        Set<String> documented = new LinkedHashSet<>();
        Matcher m = DOC_ROUTE.matcher(Files.readString(Template.REPO.resolve("docs/api.md")));
        while (m.find()) {
            documented.add(m.group(1) + " " + m.group(2));
        }
        assertEquals(Set.of("GET /status", "POST /start", "POST /stop", "POST /eip", "POST /snooze", "DELETE /snooze",
                "POST /schedule/pause", "DELETE /schedule/pause", "POST /ssh"), documented);

        JsonNode api = Template.resource("GpuApi").path("Properties");
        assertTrue(api.path("Auth").path("ApiKeyRequired").asBoolean(), "the API requires a key on every route");
        assertEquals("PER_API", api.path("Auth").path("UsagePlan").path("CreateUsagePlan").asText());

        Set<String> templated = new LinkedHashSet<>();
        for (String function : Template.ofType("AWS::Serverless::Function")) {
            Template.resource(function).path("Properties").path("Events").forEach(event -> {
                if (!event.path("Type").asText().equals("Api")) {
                    return;
                }
                JsonNode p = event.path("Properties");
                assertEquals("GpuApi", p.path("RestApiId").path("Ref").asText(), function + " on the keyed API");
                if (function.equals("PanelFunction")) { // the page carries no secret; PanelRouteIT checks it
                    assertEquals("GET /", p.path("Method").asText() + " " + p.path("Path").asText());
                    return;
                }
                assertFalse(p.path("Auth").path("ApiKeyRequired").isBoolean()
                        && !p.path("Auth").path("ApiKeyRequired").asBoolean(), function + " must not opt out of the key");
                templated.add(p.path("Method").asText().toUpperCase() + " " + p.path("Path").asText());
            });
        }
        for (String route : documented) {
            String path = route.split(" ")[1];
            assertTrue(templated.contains(route) || templated.contains("ANY " + path),
                    route + " is documented but not in the template: " + templated);
        }
        Set<String> documentedPaths = new LinkedHashSet<>();
        documented.forEach(route -> documentedPaths.add(route.split(" ")[1]));
        Set<String> templatedPaths = new LinkedHashSet<>();
        templated.forEach(route -> templatedPaths.add(route.split(" ")[1]));
        assertEquals(documentedPaths, templatedPaths, "every templated route is documented and the other way round");
    }

    @Test
    void theApiKeyIsGeneratedNeverWritten() throws IOException {
        String text = Files.readString(Template.FILE);
        assertTrue(Template.ofType("AWS::ApiGateway::ApiKey").isEmpty(), "SAM's usage plan generates the key");
        assertFalse(text.matches("(?s).*\\bValue:\\s*['\"]?[A-Za-z0-9]{30,}.*"), "no key value in the template");
        assertTrue(Template.TREE.path("Outputs").path("ApiKeyValueCommand").path("Value").toString()
                .contains("get-api-key"));
    }

    // ------------------------------------------------------------------ least privilege

    @Test
    void noStatementGrantsAMutatingEc2ActionOnEverything() {
        int statements = 0;
        for (String function : Template.ofType("AWS::Serverless::Function")) {
            for (JsonNode policy : Template.resource(function).path("Properties").path("Policies")) {
                assertTrue(policy.has("Statement"), function + ": only inline, scoped statements");
                for (JsonNode statement : policy.path("Statement")) {
                    statements++;
                    checkStatement(function, statement);
                }
            }
        }
        assertTrue(statements >= 9, "every function has its own statements");
    }

    private static void checkStatement(String function, JsonNode statement) {
        List<String> actions = strings(statement.path("Action"));
        List<String> resources = new ArrayList<>();
        statement.path("Resource").forEach(r -> resources.add(r.isTextual() ? r.asText() : r.toString()));
        if (statement.path("Resource").isTextual()) {
            resources.add(statement.path("Resource").asText());
        }
        for (String action : actions) {
            assertFalse(action.contains("*"), function + ": wildcard action " + action);
            if (action.equals("sns:Publish")) {
                assertEquals("{\"Ref\":\"NoticesTopic\"}", statement.path("Resource").toString(),
                        function + ": publishes only to the stack's notice topic");
                continue;
            }
            if (action.endsWith("Tags")) {
                assertTrue(statement.path("Condition").path("ForAllValues:StringEquals").has("aws:TagKeys"),
                        function + ": " + action + " only for gpubox's own tag keys");
            }
            if (action.equals("ec2:DeleteTags")) {
                // ForAllValues holds for an empty key list, and DeleteTags without keys deletes every tag.
                assertEquals("false", statement.path("Condition").path("Null").path("aws:TagKeys").asText(),
                        function + ": " + action + " must name its tag keys");
            }
            if (action.startsWith("dynamodb:")) {
                // The spend ledger (issue 15): its one table, never another (SpendLedgerTemplateIT lists the actions).
                assertEquals("{\"Fn::GetAtt\":[\"LedgerTable\",\"Arn\"]}", statement.path("Resource").toString(),
                        function + ": " + action + " only on the ledger table");
                continue;
            }
            if (action.equals("pricing:GetProducts")) {
                continue; // the Price List API has no resource scope: it only reads AWS's public prices
            }
            if (!MUTATING_EC2.contains(action)) {
                assertTrue(action.startsWith("ec2:Describe"), function + ": unexpected action " + action);
                continue;
            }
            for (String resource : resources) {
                assertFalse(resource.equals("*"), function + ": " + action + " on *");
                if (resource.contains("instance/*") || resource.contains("spot-instances-request/*")) {
                    assertTrue(statement.path("Condition").path("StringEquals").has("aws:ResourceTag/gpubox:stack"),
                            function + ": " + action + " on every instance needs the stack's tag condition");
                }
            }
        }
    }

    @Test
    void eachFunctionMayDoOnlyItsOwnJob() {
        // DescribeSpotInstanceRequests: /status's spot object for a Spot box (issue 18).
        // ec2:DescribeSpotPriceHistory: every function that states a price (issue 18.5; TransformedTemplateIT).
        String spot = "ec2:DescribeSpotPriceHistory";
        assertEquals(Set.of("ec2:DescribeInstances", "ec2:DescribeAddresses", "ec2:DescribeSpotInstanceRequests",
                "dynamodb:Query", spot), actionsOf("StatusFunction"));
        // ModifyInstanceAttribute and DescribeInstanceTypes: the capacity fall-back (issue 17.1).
        assertEquals(Set.of("ec2:DescribeInstances", "ec2:DescribeAddresses", "ec2:StartInstances", "sns:Publish",
                "dynamodb:Query", "ec2:ModifyInstanceAttribute", "ec2:DescribeInstanceTypes", spot), actionsOf("StartFunction"));
        assertEquals(Set.of("ec2:DescribeInstances", "ec2:DescribeAddresses", "ec2:StopInstances", "sns:Publish", spot),
                actionsOf("StopFunction"));
        assertEquals(Set.of("ec2:DescribeInstances", "ec2:DescribeAddresses", "ec2:AssociateAddress", spot),
                actionsOf("AttachEipFunction"));
        assertEquals(Set.of("ec2:DescribeInstances", "ec2:DescribeAddresses", "ec2:CreateTags", "ec2:DeleteTags", spot),
                actionsOf("SnoozeFunction"));
        Set<String> keepsTheLedger = Set.of("dynamodb:Query", "dynamodb:GetItem", "dynamodb:UpdateItem",
                "pricing:GetProducts");
        // Issue 17 point 2: POST /ssh's rules, opened by SshFunction alone; the sweep only closes expired ones.
        assertEquals(Set.of("ec2:DescribeInstances", "ec2:DescribeSecurityGroupRules",
                "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"), actionsOf("SshFunction"));
        Set<String> sweep = new LinkedHashSet<>(List.of("ec2:DescribeInstances", "ec2:StopInstances", "ec2:CreateTags",
                "sns:Publish", "ec2:ModifyInstanceAttribute", "ec2:DescribeSecurityGroupRules",
                "ec2:RevokeSecurityGroupIngress", spot));
        sweep.addAll(keepsTheLedger);
        assertEquals(sweep, actionsOf("ScheduledStopFunction"));
        Set<String> stateChange = new LinkedHashSet<>(List.of("ec2:DescribeInstances", "sns:Publish",
                "ec2:DescribeInstanceTypes", "ec2:ModifyInstanceAttribute", "ec2:StartInstances", spot));
        stateChange.addAll(keepsTheLedger);
        assertEquals(stateChange, actionsOf("StateChangeFunction"));
        // Issue 18 point 4: a Spot box's disks kept and its request cancelled after the stop (SpotRequestOnDelete).
        assertEquals(Set.of("ec2:DescribeInstances", "ec2:StopInstances", "ec2:DescribeInstanceTypes",
                "ec2:DescribeSpotInstanceRequests", "ec2:ModifyInstanceAttribute", "ec2:CancelSpotInstanceRequests"),
                actionsOf("StopBoxOnDeleteFunction"));
        assertEquals(Set.of(), actionsOf("PanelFunction"));
    }

    private static Set<String> actionsOf(String function) {
        Set<String> actions = new LinkedHashSet<>();
        Template.resource(function).path("Properties").path("Policies")
                .forEach(p -> p.path("Statement").forEach(s -> actions.addAll(strings(s.path("Action")))));
        return actions;
    }

    // ------------------------------------------------------------------ the box and its data

    @Test
    void theBoxAndItsDiskSurviveStackDeletionAndChanges() {
        JsonNode box = Template.resource("GpuInstance");
        // Retained on every operation except the rollback of the create that made it (a failed first
        // deploy must not leave a running box behind; a box from a failed create holds no work).
        assertEquals("RetainExceptOnCreate", box.path("DeletionPolicy").asText());
        assertEquals("Retain", box.path("UpdateReplacePolicy").asText());
        JsonNode group = Template.resource("GpuSecurityGroup");
        assertEquals("RetainExceptOnCreate", group.path("DeletionPolicy").asText(), "a failed create leaves no stray group");
        assertEquals("Retain", group.path("UpdateReplacePolicy").asText());
        JsonNode root = box.path("Properties").path("BlockDeviceMappings").get(0).path("Ebs");
        assertEquals("gp3", root.path("VolumeType").asText());
        assertTrue(root.path("Encrypted").asBoolean());
        assertFalse(root.path("DeleteOnTermination").asBoolean(true));
        assertEquals("RootVolumeSize", root.path("VolumeSize").path("Ref").asText());
        assertEquals("required", box.path("Properties").path("MetadataOptions").path("HttpTokens").asText());
    }

    @Test
    void imageIsAPlainAmiIdSoANewAmiNeverReplacesTheBox() {
        JsonNode image = Template.TREE.path("Parameters").path("ImageId");
        assertFalse(image.has("Default"));
        // Not AWS::EC2::Image::Id: CloudFormation would check it against the account on every update, and
        // every update after the AMI is deregistered would fail (issue 14, point 7).
        assertEquals("String", image.path("Type").asText());
        String pattern = image.path("AllowedPattern").asText();
        for (String good : List.of("ami-0123456789abcdef0", "ami-12345678")) {
            assertTrue(Pattern.matches(pattern, good), good);
        }
        for (String bad : List.of("", "ami-", "ami-0123456789ABCDEF0", "0123456789abcdef0", "ami-0123456789abcdef0 ",
                "resolve:ssm:/aws/service/deeplearning/ami/x86_64/latest")) {
            assertFalse(Pattern.matches(pattern, bad), "'" + bad + "'");
        }
    }

    @Test
    void theKeyPairIsAPlainNameSoDeletingItInEc2NeverBlocksAnUpdate() {
        JsonNode key = Template.TREE.path("Parameters").path("KeyName");
        assertEquals("String", key.path("Type").asText(), "not AWS::EC2::KeyPair::KeyName, checked on every update");
        assertFalse(key.has("Default"));
        String pattern = key.path("AllowedPattern").asText();
        for (String good : List.of("my-laptop", "a", "work key (2024)", "x".repeat(255))) {
            assertTrue(Pattern.matches(pattern, good), good);
        }
        for (String bad : List.of("", " my-laptop", "my-laptop ", "x".repeat(256), "schl\u00fcssel", "two\nlines")) {
            assertFalse(Pattern.matches(pattern, bad), "'" + bad + "'");
        }
    }

    @Test
    void aSubnetAndItsVpcAreOptionalAndComeTogether() {
        JsonNode parameters = Template.TREE.path("Parameters");
        for (String name : List.of("SubnetId", "VpcId")) {
            assertEquals("String", parameters.path(name).path("Type").asText(), name);
            assertEquals("", parameters.path(name).path("Default").asText(), name + ": empty keeps today's default VPC");
        }
        String subnet = parameters.path("SubnetId").path("AllowedPattern").asText();
        String vpc = parameters.path("VpcId").path("AllowedPattern").asText();
        assertTrue(Pattern.matches(subnet, "") && Pattern.matches(subnet, "subnet-0123456789abcdef0") && Pattern.matches(subnet, "subnet-1a2b3c4d"));
        assertFalse(Pattern.matches(subnet, "vpc-0123456789abcdef0") || Pattern.matches(subnet, "subnet-xyz") || Pattern.matches(subnet, " subnet-1a2b3c4d"));
        assertTrue(Pattern.matches(vpc, "") && Pattern.matches(vpc, "vpc-0123456789abcdef0"));
        assertFalse(Pattern.matches(vpc, "subnet-0123456789abcdef0"));
        // The box takes the subnet and the group takes its VPC only when given; empty is AWS::NoValue.
        assertEquals("[\"HasSubnetId\",{\"Ref\":\"SubnetId\"},{\"Ref\":\"AWS::NoValue\"}]",
                Template.resource("GpuInstance").path("Properties").path("SubnetId").path("Fn::If").toString());
        assertEquals("[\"HasVpcId\",{\"Ref\":\"VpcId\"},{\"Ref\":\"AWS::NoValue\"}]",
                Template.resource("GpuSecurityGroup").path("Properties").path("VpcId").path("Fn::If").toString());
        // Rules: one without the other fails before anything is created (a group outside the subnet's VPC
        // would make the launch fail).
        JsonNode rules = Template.TREE.path("Rules");
        assertEquals("{\"Fn::Not\":[{\"Fn::Equals\":[{\"Ref\":\"SubnetId\"},\"\"]}]}", rules.path("SubnetNeedsItsVpc").path("RuleCondition").toString());
        assertEquals("{\"Fn::Not\":[{\"Fn::Equals\":[{\"Ref\":\"VpcId\"},\"\"]}]}",
                rules.path("SubnetNeedsItsVpc").path("Assertions").get(0).path("Assert").toString());
        assertEquals("{\"Fn::Not\":[{\"Fn::Equals\":[{\"Ref\":\"VpcId\"},\"\"]}]}", rules.path("VpcNeedsASubnet").path("RuleCondition").toString());
        assertEquals("{\"Fn::Not\":[{\"Fn::Equals\":[{\"Ref\":\"SubnetId\"},\"\"]}]}",
                rules.path("VpcNeedsASubnet").path("Assertions").get(0).path("Assert").toString());
    }

    @Test
    void instanceTypeDefaultsToACurrentGpuAndStillAllowsP2() {
        JsonNode type = Template.TREE.path("Parameters").path("InstanceType");
        assertFalse(type.path("Default").asText().startsWith("p2."), "K80 is not supported by current DLAMIs");
        assertTrue(strings(type.path("AllowedValues")).contains("p2.xlarge"));
        assertTrue(strings(type.path("AllowedValues")).contains(type.path("Default").asText()));
    }

    /** Issue 17 point 2: SshCidr is optional; empty (the default) means no permanent rule at all, never the world. */
    @Test
    void sshIsOpenOnlyToTheGivenCidrAndNothingElseByDefault() {
        JsonNode ssh = Template.TREE.path("Parameters").path("SshCidr");
        assertEquals("", ssh.path("Default").asText(), "no permanent rule by default (POST /ssh opens per network)");
        assertFalse(Pattern.matches(ssh.path("AllowedPattern").asText(), "everyone"));
        assertTrue(Pattern.matches(ssh.path("AllowedPattern").asText(), ""));
        JsonNode ingress = Template.resource("GpuSecurityGroup").path("Properties").path("SecurityGroupIngress");
        JsonNode first = ingress.get(0).path("Fn::If");
        assertEquals("HasSshCidr", first.get(0).asText(), "the permanent rule exists only with SshCidr");
        assertEquals(22, first.get(1).path("FromPort").asInt());
        assertEquals("SshCidr", first.get(1).path("CidrIp").path("Ref").asText());
        assertEquals("SSH", first.get(1).path("Description").asText(), "the same rule as before, on an upgrade");
        assertEquals("AWS::NoValue", first.get(2).path("Ref").asText());
        for (int i = 1; i < ingress.size(); i++) {
            assertTrue(ingress.get(i).has("Fn::If"), "every other port is opened only by a parameter");
        }
        assertEquals("0", Template.TREE.path("Parameters").path("ExtraOpenPort").path("Default").asText());
    }

    @Test
    void theElasticIpIsAllocatedAndAssociatedWithTheBox() {
        assertEquals("vpc", Template.resource("ElasticIp").path("Properties").path("Domain").asText());
        JsonNode association = Template.resource("ElasticIpAssociation").path("Properties");
        assertEquals("GpuInstance", association.path("InstanceId").path("Ref").asText());
        assertEquals("ElasticIp", association.path("AllocationId").path("Fn::GetAtt").get(0).asText());
    }

    @Test
    void nightlyStopRunsOnSchedulerInTheUsersTimeZone() {
        JsonNode events = Template.resource("ScheduledStopFunction").path("Properties").path("Events");
        JsonNode nightly = events.path("Nightly");
        assertEquals("ScheduleV2", nightly.path("Type").asText());
        // The zone the user chose (no default), as ShutdownTimezoneCheck found it in the IANA database.
        assertEquals("[\"ShutdownTimezoneCheck\",\"Zone\"]",
                nightly.path("Properties").path("ScheduleExpressionTimezone").path("Fn::GetAtt").toString());
        assertEquals("ShutdownTimezone", Template.resource("ShutdownTimezoneCheck").path("Properties").path("Zone")
                .path("Ref").asText());
        assertEquals("20:00", Template.TREE.path("Parameters").path("ShutdownTime").path("Default").asText());
        String expression = new Intrinsics(Template.TREE, TemplateSchemaIT.REQUIRED, Template.GENERATED, (r, a) -> true)
                .resolve(nightly.path("Properties").path("ScheduleExpression")).asText();
        assertEquals("cron(00 20 * * ? *)", expression);
    }

    @Test
    void everyFunctionHasALogGroupWithRetention() {
        Set<String> logged = new LinkedHashSet<>();
        for (String group : Template.ofType("AWS::Logs::LogGroup")) {
            JsonNode p = Template.resource(group).path("Properties");
            assertEquals("LogRetentionDays", p.path("RetentionInDays").path("Ref").asText());
            Matcher m = Pattern.compile("/aws/lambda/\\$\\{(\\w+)}").matcher(p.path("LogGroupName").path("Fn::Sub").asText());
            if (!m.matches()) {
                fail(group + " is not a function's log group");
            }
            logged.add(m.group(1));
        }
        assertEquals(Set.copyOf(Template.ofType("AWS::Serverless::Function")), logged);
    }

    @Test
    void outputsTellTheUserHowToConnect() {
        for (String output : List.of("ApiUrl", "ApiKeyValueCommand", "ElasticIp", "SshCommand")) {
            assertTrue(Template.TREE.path("Outputs").has(output), "missing output " + output);
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
