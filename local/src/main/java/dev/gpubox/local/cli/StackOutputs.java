package dev.gpubox.local.cli;

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
        List<String> describe = new ArrayList<>(List.of("aws", "cloudformation", "describe-stacks", "--stack-name",
                stack, "--query", "Stacks[0].Outputs", "--output", "json"));
        if (region != null) {
            describe.addAll(List.of("--region", region));
        }
        JsonNode outputs = new ObjectMapper().readTree(run(describe, env));
        Map<String, String> byKey = new LinkedHashMap<>();
        outputs.forEach(o -> byKey.put(o.path("OutputKey").asText(), o.path("OutputValue").asText()));
        String url = byKey.get("ApiUrl");
        Matcher keyCommand = KEY_COMMAND.matcher(byKey.getOrDefault("ApiKeyValueCommand", ""));
        if (url == null || !keyCommand.find()) {
            throw new Cli.Failure(1, "stack '" + stack + "' has no ApiUrl/ApiKeyValueCommand outputs; is it a gpubox"
                    + " stack? Pass --stack NAME, or ./gpubox login --url URL --key KEY.");
        }
        String key = run(List.of("aws", "apigateway", "get-api-key", "--api-key", keyCommand.group(1),
                "--include-value", "--query", "value", "--output", "text", "--region", keyCommand.group(2)), env).trim();
        return Map.of(CliConfig.URL, url, CliConfig.KEY, key);
    }

    private static String run(List<String> command, Map<String, String> env)
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
