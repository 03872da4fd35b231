package dev.gpubox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./gpubox rotate-key}: a new API key on the stack's usage plan, every other key on the plan
 * disabled, the laptop's login updated, and how to re-enter the key on the phone. All through the AWS CLI.
 *
 * <p>The order keeps the user in: the new key is made and put on the plan first (if that fails, it is
 * deleted and nothing changed), then saved to the laptop's login, and only then are the old keys disabled;
 * a failure there says which key is still enabled and the command to disable it.
 *
 * <p>The stack's own key (SAM's {@code GpuApiApiKey}) is disabled, not deleted: CloudFormation owns it. A
 * stack update leaves a disabled key and a key made here alone unless it replaces the usage plan; then the
 * new plan holds only the stack's key (enabled again by its template) and this one must be rotated again.
 */
final class KeyRotation {
    /** The logical id SAM gives the usage plan of the API {@code GpuApi} (CreateUsagePlan: PER_API). */
    static final String USAGE_PLAN = "GpuApiUsagePlan";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private final PrintStream out;
    private final Clock clock;

    KeyRotation(Map<String, String> env, PrintStream out, Clock clock) {
        this.env = env;
        this.out = out;
        this.clock = clock;
    }

    void rotate(String stack, String region) throws IOException, InterruptedException, Cli.Failure {
        Map<String, String> outputs = StackOutputs.outputs(stack, region, env);
        String apiUrl = outputs.get("ApiUrl");
        String keyRegion = StackOutputs.keyRegion(stack, outputs);
        String plan = usagePlan(stack, keyRegion);
        List<String> old = keysOn(plan, keyRegion);

        String name = stack + "-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(clock.instant().atZone(ZoneOffset.UTC));
        JsonNode created = JSON.readTree(aws(List.of("apigateway", "create-api-key", "--name", name, "--description",
                "gpubox: made by ./gpubox rotate-key", "--enabled", "--output", "json"), keyRegion));
        String newId = created.path("id").asText();
        String newValue = created.path("value").asText();
        try {
            aws(List.of("apigateway", "create-usage-plan-key", "--usage-plan-id", plan, "--key-id", newId,
                    "--key-type", "API_KEY", "--output", "json"), keyRegion);
        } catch (Cli.Failure onPlan) {
            aws(List.of("apigateway", "delete-api-key", "--api-key", newId), keyRegion);
            throw new Cli.Failure(onPlan.exit, "could not put the new key on the usage plan " + plan
                    + "; it is deleted again and nothing changed. " + onPlan.getMessage());
        }

        java.nio.file.Path file = CliConfig.file(env);
        Map<String, String> values = new LinkedHashMap<>(CliConfig.load(file).values());
        values.put(CliConfig.URL, apiUrl);
        values.put(CliConfig.KEY, newValue);
        new CliConfig(values).save(file);

        List<String> stillEnabled = new ArrayList<>();
        for (String id : old) {
            try {
                aws(List.of("apigateway", "update-api-key", "--api-key", id, "--patch-operations",
                        "op=replace,path=/enabled,value=false", "--output", "json"), keyRegion);
            } catch (Cli.Failure notDisabled) {
                stillEnabled.add(id);
            }
        }
        out.println("New API key " + newId + " (" + name + ") is on the usage plan, and this laptop's login ("
                + file + ") uses it.");
        out.println("Disabled the old key" + (old.size() == 1 ? " " : "s ") + String.join(", ", old)
                + ": API Gateway refuses " + (old.size() == 1 ? "it" : "them") + " within a minute or so.");
        out.println();
        out.println("The new key, to enter on the phone:");
        out.println();
        out.println("  " + newValue);
        out.println();
        out.println("- the panel (PanelUrl): it asks for the key again once the old one is refused; paste this one.");
        out.println("- each iOS Shortcut or Android HTTP shortcut: edit its x-api-key header to this value.");
        out.println("Bring it over a channel you trust (typed, or AirDrop), not a chat or an email.");
        if (!stillEnabled.isEmpty()) {
            throw new Cli.Failure(1, "the new key works, but " + String.join(", ", stillEnabled) + " could not be"
                    + " disabled and still opens the API. Disable it: aws apigateway update-api-key --api-key "
                    + stillEnabled.get(0) + " --patch-operations op=replace,path=/enabled,value=false --region "
                    + keyRegion);
        }
    }

    /** The stack's usage plan (a SAM-generated resource): its physical id. */
    private String usagePlan(String stack, String region) throws IOException, InterruptedException, Cli.Failure {
        String id = aws(List.of("cloudformation", "describe-stack-resource", "--stack-name", stack,
                "--logical-resource-id", USAGE_PLAN, "--query", "StackResourceDetail.PhysicalResourceId",
                "--output", "text"), region).trim();
        if (id.isEmpty() || id.equals("None")) {
            throw new Cli.Failure(1, "stack '" + stack + "' has no " + USAGE_PLAN + "; is it a gpubox stack?");
        }
        return id;
    }

    /** The ids of the keys now on the plan: every one is disabled once the new key is in place. */
    private List<String> keysOn(String plan, String region) throws IOException, InterruptedException, Cli.Failure {
        List<String> ids = new ArrayList<>();
        JSON.readTree(aws(List.of("apigateway", "get-usage-plan-keys", "--usage-plan-id", plan, "--output", "json"),
                region)).path("items").forEach(k -> ids.add(k.path("id").asText()));
        return ids;
    }

    private String aws(List<String> args, String region) throws IOException, InterruptedException, Cli.Failure {
        List<String> command = new ArrayList<>(List.of("aws"));
        command.addAll(args);
        command.addAll(List.of("--region", region));
        return StackOutputs.run(command, env);
    }
}
