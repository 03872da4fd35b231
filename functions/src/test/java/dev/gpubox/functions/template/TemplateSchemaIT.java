package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.gpubox.box.ExternalTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * template.yaml against the schemas in the team reference folder: the SAM schema (draft-04) for the whole
 * template, and each CloudFormation resource's provider schema (draft-07) for its properties after its
 * intrinsic functions are evaluated for a set of parameter values.
 */
class TemplateSchemaIT {
    /** Parameters without defaults get the kind of value a user would type in `sam deploy --guided`. */
    static final Map<String, String> REQUIRED = Map.of(
            "ImageId", "ami-0123456789abcdef0", "KeyName", "my-laptop", "SshCidr", "203.0.113.7/32",
            "ShutdownTimezone", "America/New_York");
    static final Map<String, JsonSchema> CACHE = new HashMap<>();

    /** Per test, not per class: a class-level skip is counted as no tests at all, with no reason shown. */
    @BeforeEach
    void requireReferenceFolder() {
        ReferenceFolder.requireSchemas();
    }

    @Test
    void samSchemaAcceptsTheTemplate() throws IOException {
        assertEquals(Set.of(), messages(samSchema().validate(Template.TREE)));
    }

    @Test
    void samSchemaRejectsAMistypedFunctionProperty() throws IOException {
        ObjectNode broken = Template.TREE.deepCopy();
        ((ObjectNode) broken.path("Resources").path("StartFunction").path("Properties")).put("MemorySizee", 512);
        assertFalse(samSchema().validate(broken).isEmpty(), "the SAM schema must catch a typo");
    }

    /** Both sides of every condition: ExtraOpenPort 0 (closed) and 8080 (opened); no subnet, and a subnet. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ExtraOpenPort=0", "ExtraOpenPort=8080,SubnetId=subnet-0123456789abcdef0,VpcId=vpc-0123456789abcdef0"})
    void everyCloudFormationResourceMatchesItsProviderSchema(String setting) throws IOException {
        Map<String, String> values = new HashMap<>(REQUIRED);
        for (String pair : setting.split(",")) {
            values.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        Intrinsics intrinsics = new Intrinsics(Template.TREE, values, Template.GENERATED, TemplateSchemaIT::hasAttribute);
        Set<String> checked = new HashSet<>();
        for (var entry : Template.resources().properties()) {
            String type = entry.getValue().path("Type").asText();
            if (type.startsWith("AWS::Serverless::")) {
                continue; // covered by the SAM schema
            }
            if (type.equals("AWS::CloudFormation::CustomResource") || type.startsWith("Custom::")) {
                continue; // no provider schema: its properties are the function's; TransformedTemplateIT checks it
            }
            JsonNode properties = intrinsics.resolve(entry.getValue().path("Properties"));
            Set<String> errors = messages(providerSchema(type).validate(properties));
            String shown = properties.toString();
            assertEquals(Set.of(), errors, entry.getKey() + " (" + type + ") with "
                    + (shown.length() > 600 ? shown.substring(0, 600) + "…" : shown));
            for (String readOnly : readOnlyProperties(type)) {
                assertTrue(properties.at(readOnly).isMissingNode(),
                        entry.getKey() + " sets read-only " + readOnly + ", an output, not an input");
            }
            checked.add(type);
        }
        assertTrue(checked.containsAll(Set.of("AWS::EC2::Instance", "AWS::EC2::SecurityGroup", "AWS::EC2::EIP",
                "AWS::EC2::EIPAssociation", "AWS::Logs::LogGroup", "AWS::IAM::Role", "AWS::IAM::InstanceProfile",
                "AWS::SSM::Association")), "checked " + checked);
        boolean subnet = values.containsKey("SubnetId");
        assertEquals(subnet, !intrinsics.resolve(Template.resource("GpuInstance").path("Properties")).path("SubnetId").isMissingNode());
        assertEquals(subnet, !intrinsics.resolve(Template.resource("GpuSecurityGroup").path("Properties")).path("VpcId").isMissingNode());
    }

    @Test
    void openingTheExtraPortAddsExactlyOneIngressRule() {
        Map<String, String> values = new HashMap<>(REQUIRED);
        Intrinsics closed = new Intrinsics(Template.TREE, values, Template.GENERATED, TemplateSchemaIT::hasAttribute);
        values.put("ExtraOpenPort", "80");
        Intrinsics open = new Intrinsics(Template.TREE, values, Template.GENERATED, TemplateSchemaIT::hasAttribute);
        JsonNode group = Template.resource("GpuSecurityGroup").path("Properties");
        assertEquals(1, closed.resolve(group).path("SecurityGroupIngress").size());
        JsonNode opened = open.resolve(group).path("SecurityGroupIngress");
        assertEquals(2, opened.size());
        assertEquals(80, opened.get(1).path("FromPort").asInt());
    }

    @Test
    void providerSchemasCatchABadValue() throws IOException {
        ObjectNode instance = new Intrinsics(Template.TREE, REQUIRED, Template.GENERATED, TemplateSchemaIT::hasAttribute)
                .resolve(Template.resource("GpuInstance").path("Properties")).deepCopy();
        ((ObjectNode) instance.path("MetadataOptions")).put("HttpTokens", "always");
        assertFalse(providerSchema("AWS::EC2::Instance").validate(instance).isEmpty());
    }

    @Test
    void aReferenceToNothingIsCaught() {
        ObjectNode broken = Template.TREE.deepCopy();
        ((ObjectNode) broken.path("Resources").path("ElasticIpAssociation").path("Properties"))
                .set("InstanceId", CfnYaml.JSON.createObjectNode().put("Ref", "GpuInstanse"));
        Intrinsics intrinsics = new Intrinsics(broken, REQUIRED, Template.GENERATED, TemplateSchemaIT::hasAttribute);
        assertThrows(IllegalArgumentException.class,
                () -> intrinsics.resolve(broken.path("Resources").path("ElasticIpAssociation")));
    }

    // ------------------------------------------------------------------ schema plumbing

    private static JsonSchema samSchema() throws IOException {
        return schema(ReferenceFolder.SCHEMAS.resolve("sam.schema.json"), SpecVersion.VersionFlag.V4);
    }

    private static JsonSchema providerSchema(String type) throws IOException {
        return schema(schemaFile(type), SpecVersion.VersionFlag.V7);
    }

    /**
     * AWS::EC2::Instance → cfn-resource-schemas/aws-ec2-instance.json. A type the reference folder lacks
     * (AWS::SSM::Association, AWS::DynamoDB::Table, AWS::Budgets::Budget, AWS::SNS::TopicPolicy) is read from cfn-lint's copy, and
     * the log says so.
     */
    private static Path schemaFile(String type) throws IOException {
        Path file = ReferenceFolder.SCHEMAS.resolve("cfn-resource-schemas")
                .resolve(type.toLowerCase(Locale.ROOT).replace("::", "-") + ".json");
        if (Files.isRegularFile(file)) {
            return file;
        }
        Path fromCfnLint = CfnLintSchemas.providerSchema(type);
        System.out.println("TemplateSchemaIT: " + file.getFileName() + " is not in the reference folder; using"
                + " cfn-lint's " + fromCfnLint);
        assertTrue(Files.isRegularFile(fromCfnLint), "no provider schema for " + type + " at " + file
                + " nor " + fromCfnLint);
        return fromCfnLint;
    }

    private static synchronized JsonSchema schema(Path file, SpecVersion.VersionFlag version) throws IOException {
        JsonSchema cached = CACHE.get(file.toString());
        if (cached != null) {
            return cached;
        }
        ObjectNode node = (ObjectNode) CfnYaml.JSON.readTree(file.toFile());
        // The $schema URLs name meta-schemas that cannot be fetched offline; the draft is given explicitly.
        node.remove("$schema");
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .regularExpressionFactory(EcmaPatterns.INSTANCE)
                .build();
        JsonSchema schema = JsonSchemaFactory.getInstance(version).getSchema(node, config);
        CACHE.put(file.toString(), schema);
        return schema;
    }

    private static List<String> readOnlyProperties(String type) throws IOException {
        JsonNode list = CfnYaml.JSON.readTree(schemaFile(type).toFile()).path("readOnlyProperties");
        return list.isMissingNode() ? List.of() : CfnYaml.JSON.convertValue(list,
                CfnYaml.JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    /**
     * An attribute is readable when the provider schema declares it: as read-only (an output such as an
     * Arn), or as a property CloudFormation also returns (such as an SQS queue's QueueName).
     */
    static boolean hasAttribute(String resource, String attribute) {
        String type = Template.resource(resource).path("Type").asText();
        if (type.equals("AWS::Serverless::Function")) {
            return attribute.equals("Arn");
        }
        if (type.startsWith("AWS::Serverless::")) {
            return attribute.equals("RootResourceId");
        }
        try {
            return new HashSet<>(readOnlyProperties(type)).contains("/properties/" + attribute)
                    || CfnYaml.JSON.readTree(schemaFile(type).toFile()).path("properties").has(attribute);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<String> messages(Set<ValidationMessage> messages) {
        return messages.stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }
}
