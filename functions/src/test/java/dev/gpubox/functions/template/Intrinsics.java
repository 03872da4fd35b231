package dev.gpubox.functions.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates a template's intrinsic functions for one set of parameter values, the way CloudFormation
 * would, so that resource properties can be checked against their schemas with real values instead of
 * skipping every value that holds a function. A reference to a parameter, resource or attribute that does
 * not exist fails here, which is itself a check.
 */
final class Intrinsics {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** What {@code AWS::NoValue} resolves to: the property or list item is removed. */
    private static final JsonNode NO_VALUE = new TextNode("\u0000NoValue");
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^!}][^}]*)}");
    private static final Map<String, String> PSEUDO = Map.of(
            "AWS::Region", "us-west-2", "AWS::AccountId", "123456789012", "AWS::StackName", "gpubox",
            "AWS::Partition", "aws", "AWS::URLSuffix", "amazonaws.com", "AWS::StackId",
            "arn:aws:cloudformation:us-west-2:123456789012:stack/gpubox/0f1e2d3c", "AWS::NotificationARNs", "");

    private final JsonNode template;
    private final Map<String, JsonNode> parameters = new HashMap<>();
    /** Resources that SAM's transform generates and a template may reference, e.g. {@code GpuApiApiKey}. */
    private final Map<String, String> generated;
    /** Whether {@code resource.attribute} may be read with Fn::GetAtt. */
    private final BiPredicate<String, String> attributeExists;

    Intrinsics(JsonNode template, Map<String, String> parameterValues, Map<String, String> generated,
               BiPredicate<String, String> attributeExists) {
        this.template = template;
        this.generated = generated;
        this.attributeExists = attributeExists;
        template.path("Parameters").properties().forEach(p -> {
            String name = p.getKey();
            String value = parameterValues.containsKey(name) ? parameterValues.get(name)
                    : p.getValue().path("Default").asText(null);
            if (value == null) {
                throw new IllegalArgumentException("parameter " + name + " has no default; the scenario must set it");
            }
            parameters.put(name, p.getValue().path("Type").asText().equals("Number")
                    ? NODES.numberNode(Long.parseLong(value)) : NODES.textNode(value));
        });
    }

    JsonNode resolve(JsonNode node) {
        if (node.isObject() && node.size() == 1) {
            String fn = node.fieldNames().next();
            JsonNode arg = node.get(fn);
            switch (fn) {
                case "Ref":
                    return ref(arg.asText());
                case "Fn::GetAtt":
                    return getAtt(arg.get(0).asText(), arg.get(1).asText());
                case "Fn::Sub":
                    return sub(arg);
                case "Fn::Select":
                    return resolve(arg.get(1)).get(resolve(arg.get(0)).asInt());
                case "Fn::Split": {
                    ArrayNode parts = NODES.arrayNode();
                    for (String s : resolve(arg.get(1)).asText().split(Pattern.quote(arg.get(0).asText()), -1)) {
                        parts.add(s);
                    }
                    return parts;
                }
                case "Fn::Join": {
                    List<String> parts = new ArrayList<>();
                    resolve(arg.get(1)).forEach(p -> parts.add(p.asText()));
                    return NODES.textNode(String.join(arg.get(0).asText(), parts));
                }
                case "Fn::Base64":
                    return NODES.textNode(java.util.Base64.getEncoder().encodeToString(
                            resolve(arg).asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                case "Fn::If":
                    return resolve(condition(arg.get(0).asText()) ? arg.get(1) : arg.get(2));
                default:
                    if (fn.startsWith("Fn::")) {
                        throw new IllegalArgumentException("intrinsic " + fn + " is not modelled by this check");
                    }
            }
        }
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            node.properties().forEach(e -> {
                JsonNode value = resolve(e.getValue());
                if (value != NO_VALUE) {
                    out.set(e.getKey(), value);
                }
            });
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(item -> {
                JsonNode value = resolve(item);
                if (value != NO_VALUE) {
                    out.add(value);
                }
            });
            return out;
        }
        return node;
    }

    boolean condition(String name) {
        JsonNode definition = template.path("Conditions").get(name);
        if (definition == null) {
            throw new IllegalArgumentException("unknown condition " + name);
        }
        return truth(definition);
    }

    private boolean truth(JsonNode node) {
        String fn = node.fieldNames().next();
        JsonNode arg = node.get(fn);
        return switch (fn) {
            case "Fn::Equals" -> resolve(arg.get(0)).asText().equals(resolve(arg.get(1)).asText());
            case "Fn::Not" -> !truth(arg.get(0));
            case "Fn::And" -> { boolean all = true; for (JsonNode c : arg) { all &= truth(c); } yield all; }
            case "Fn::Or" -> { boolean any = false; for (JsonNode c : arg) { any |= truth(c); } yield any; }
            case "Condition" -> condition(arg.asText());
            default -> throw new IllegalArgumentException("not a condition function: " + fn);
        };
    }

    private JsonNode ref(String name) {
        if (name.equals("AWS::NoValue")) {
            return NO_VALUE;
        }
        if (PSEUDO.containsKey(name)) {
            return NODES.textNode(PSEUDO.get(name));
        }
        if (parameters.containsKey(name)) {
            return parameters.get(name);
        }
        JsonNode resource = template.path("Resources").get(name);
        if (resource != null) {
            return NODES.textNode(physicalId(name, resource.path("Type").asText()));
        }
        if (generated.containsKey(name)) {
            return NODES.textNode(generated.get(name));
        }
        throw new IllegalArgumentException("Ref to unknown parameter or resource " + name);
    }

    private JsonNode getAtt(String resource, String attribute) {
        if (template.path("Resources").get(resource) == null) {
            throw new IllegalArgumentException("Fn::GetAtt on unknown resource " + resource);
        }
        if (!attributeExists.test(resource, attribute)) {
            throw new IllegalArgumentException("Fn::GetAtt " + resource + "." + attribute + " is not an attribute");
        }
        return NODES.textNode(switch (attribute) {
            case "AllocationId" -> "eipalloc-0123456789abcdef0";
            case "GroupId" -> "sg-0123456789abcdef0";
            case "PublicIp" -> "203.0.113.10";
            case "Arn" -> "arn:aws:lambda:us-west-2:123456789012:function:" + resource;
            default -> resource + "-" + attribute;
        });
    }

    private JsonNode sub(JsonNode arg) {
        String text = arg.isArray() ? arg.get(0).asText() : arg.asText();
        Map<String, String> variables = new HashMap<>();
        if (arg.isArray()) {
            arg.get(1).properties().forEach(v -> variables.put(v.getKey(), resolve(v.getValue()).asText()));
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = variables.containsKey(name) ? variables.get(name)
                    : name.contains(".") && !name.startsWith("AWS::")
                    ? getAtt(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1)).asText()
                    : ref(name).asText();
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return NODES.textNode(out.toString().replace("${!", "${"));
    }

    private static String physicalId(String logicalId, String type) {
        return switch (type) {
            case "AWS::EC2::Instance" -> "i-0123456789abcdef0";
            case "AWS::EC2::EIP" -> "203.0.113.10";
            case "AWS::EC2::SecurityGroup" -> "sg-0123456789abcdef0";
            case "AWS::Serverless::Api" -> "a1b2c3d4e5";
            default -> "gpubox-" + logicalId + "-1A2B3C4D";
        };
    }
}
