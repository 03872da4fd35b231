package dev.gpubox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ./gpubox login} without arguments: the stack's ApiUrl and API key, read with the AWS CLI. */
final class StackOutputs {
    /** The key's id and region inside the stack's ApiKeyValueCommand output (only these are taken from it). */
    static final Pattern KEY_COMMAND = Pattern.compile("--api-key (\\S+).*--region (\\S+)");

    private StackOutputs() {
    }

    static Map<String, String> read(String stack, String region, Map<String, String> env)
            throws IOException, InterruptedException, Cli.Failure {
        Map<String, String> byKey = outputs(stack, region, env);
        Matcher keyCommand = keyCommand(stack, byKey);
        // [value, enabled]: after ./gpubox rotate-key the stack's own key is disabled, and the key to use is
        // the enabled one on the stack's usage plan.
        String[] key = run(List.of("aws", "apigateway", "get-api-key", "--api-key", keyCommand.group(1),
                "--include-value", "--query", "[value,enabled]", "--output", "text", "--region", keyCommand.group(2)),
                env).trim().split("\\s+");
        String value = key.length == 2 && key[1].equalsIgnoreCase("true") ? key[0]
                : enabledKeyOnThePlan(stack, keyCommand.group(2), env);
        return Map.of(CliConfig.URL, byKey.get("ApiUrl"), CliConfig.KEY, value);
    }

    /** The stack's outputs by key; a failure when it has no ApiUrl or ApiKeyValueCommand. */
    static Map<String, String> outputs(String stack, String region, Map<String, String> env)
            throws IOException, InterruptedException, Cli.Failure {
        List<String> describe = new ArrayList<>(List.of("aws", "cloudformation", "describe-stacks", "--stack-name",
                stack, "--query", "Stacks[0].Outputs", "--output", "json"));
        if (region != null) {
            describe.addAll(List.of("--region", region));
        }
        JsonNode outputs = new ObjectMapper().readTree(run(describe, env));
        Map<String, String> byKey = new LinkedHashMap<>();
        outputs.forEach(o -> byKey.put(o.path("OutputKey").asText(), o.path("OutputValue").asText()));
        keyCommand(stack, byKey);
        return byKey;
    }

    /** The region of the stack's API (and key), from its ApiKeyValueCommand output. */
    static String keyRegion(String stack, Map<String, String> outputs) throws Cli.Failure {
        return keyCommand(stack, outputs).group(2);
    }

    private static Matcher keyCommand(String stack, Map<String, String> outputs) throws Cli.Failure {
        Matcher keyCommand = KEY_COMMAND.matcher(outputs.getOrDefault("ApiKeyValueCommand", ""));
        if (outputs.get("ApiUrl") == null || !keyCommand.find()) {
            throw new Cli.Failure(1, "stack '" + stack + "' has no ApiUrl/ApiKeyValueCommand outputs; is it a gpubox"
                    + " stack? Pass --stack NAME, or ./gpubox login --url URL --key KEY.");
        }
        return keyCommand;
    }

    /** The one enabled key on the stack's usage plan (the last ./gpubox rotate-key made it). */
    private static String enabledKeyOnThePlan(String stack, String region, Map<String, String> env)
            throws IOException, InterruptedException, Cli.Failure {
        String plan = run(List.of("aws", "cloudformation", "describe-stack-resource", "--stack-name", stack,
                "--logical-resource-id", KeyRotation.USAGE_PLAN, "--query", "StackResourceDetail.PhysicalResourceId",
                "--output", "text", "--region", region), env).trim();
        for (JsonNode key : new ObjectMapper().readTree(run(List.of("aws", "apigateway", "get-usage-plan-keys",
                "--usage-plan-id", plan, "--output", "json", "--region", region), env)).path("items")) {
            String[] found = run(List.of("aws", "apigateway", "get-api-key", "--api-key", key.path("id").asText(),
                    "--include-value", "--query", "[value,enabled]", "--output", "text", "--region", region), env)
                    .trim().split("\\s+");
            if (found.length == 2 && found[1].equalsIgnoreCase("true")) {
                return found[0];
            }
        }
        throw new Cli.Failure(1, "no enabled API key on stack '" + stack + "''s usage plan " + plan
                + ". Run ./gpubox rotate-key to make one.");
    }

    static String run(List<String> command, Map<String, String> env)
            throws IOException, InterruptedException, Cli.Failure {
        Process p;
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            p = builder.start();
        } catch (IOException noAws) {
            throw new Cli.Failure(2, "the AWS CLI ('aws') is not on PATH. Install and configure it, or run"
                    + " ./gpubox login --url URL --key KEY with the stack's ApiUrl and API key.");
        }
        byte[] stdout = p.getInputStream().readAllBytes();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new Cli.Failure(1, String.join(" ", command.subList(0, 3)) + " failed: " + stderr
                    + "\nNext: check your AWS credentials and region (aws configure), and the stack name (--stack).");
        }
        return new String(stdout, StandardCharsets.UTF_8);
    }
}
