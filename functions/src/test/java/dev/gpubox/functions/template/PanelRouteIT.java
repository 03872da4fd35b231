package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpubox.box.ExternalTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What CloudFormation receives, not what we wrote: SAM's own transform (samtranslator) turns
 * template.yaml into the REST API's OpenAPI body, and in it only {@code GET /} (the phone panel) may be
 * callable without the API key — and that route is throttled at the stage as the key's usage plan is.
 */
class PanelRouteIT {
    /** The transform as `sam deploy` runs it, after `sam package` replaced the jar with an S3 location. */
    static final String TRANSFORM = """
            import json, sys
            from samtranslator.translator.transform import transform
            from samtranslator.yaml_helper import yaml_parse
            tpl = yaml_parse(open(sys.argv[1]).read())
            tpl["Globals"]["Function"]["CodeUri"] = "s3://bucket/gpubox-functions.jar"
            class NoManagedPolicies:
                def load(self): return {}
            print(json.dumps(transform(tpl, {}, NoManagedPolicies())))
            """;

    @Test
    void onlyThePanelIsServedWithoutTheKeyInTheTransformedTemplate() throws Exception {
        Path python = ExternalTools.requirePythonModule("samtranslator", "checking the SAM-transformed template");
        ProcessBuilder builder = new ProcessBuilder(python.toString(), "-c", TRANSFORM, Template.FILE.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putIfAbsent("AWS_DEFAULT_REGION", "us-west-2"); // the transform needs a region
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "samtranslator failed on template.yaml");
        JsonNode resources = new ObjectMapper().readTree(out).path("Resources");

        Map<String, String> security = new TreeMap<>();
        resources.forEach(r -> {
            if (r.path("Type").asText().equals("AWS::ApiGateway::RestApi")) {
                r.path("Properties").path("Body").path("paths").properties().forEach(path ->
                        path.getValue().properties().forEach(op -> security.put(
                                op.getKey().replace("x-amazon-apigateway-any-method", "ANY") + " " + path.getKey(),
                                op.getValue().path("security").toString())));
            }
        });
        String keyed = "[{\"api_key\":[]}]";
        assertEquals(Map.of("get /", "[]", "ANY /status", keyed, "ANY /start", keyed, "ANY /stop", keyed,
                "ANY /eip", keyed, "ANY /snooze", keyed), security);

        // The usage plan throttles keyed calls only; the keyless page has its own stage throttle.
        Map<String, String> throttled = new TreeMap<>();
        resources.forEach(r -> {
            if (r.path("Type").asText().equals("AWS::ApiGateway::Stage")) {
                r.path("Properties").path("MethodSettings").forEach(m -> throttled.put(
                        m.path("HttpMethod").asText() + " " + m.path("ResourcePath").asText(),
                        m.path("ThrottlingRateLimit").path("Ref").asText() + "/"
                                + m.path("ThrottlingBurstLimit").path("Ref").asText()));
            }
        });
        assertEquals(Map.of("GET /", "ApiRateLimit/ApiBurstLimit"), throttled);
    }
}
