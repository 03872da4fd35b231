package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Local mode serves exactly the routes template.yaml deploys, with the same handler classes. */
class LocalRoutesTest {
    static final Pattern FUNCTION = Pattern.compile(
            "Handler: ([\\w.]+)::handleRequest(?:(?!Handler:).)*?Path: (/[\\w/-]*)", Pattern.DOTALL);

    @Test
    void routesMatchTheTemplate() throws Exception {
        String template = Files.readString(Path.of("..", "template.yaml"));
        Map<String, String> deployed = new TreeMap<>();
        Matcher m = FUNCTION.matcher(template);
        while (m.find()) {
            deployed.put(m.group(2), m.group(1));
        }
        Map<String, String> local = new TreeMap<>();
        LocalApi.ROUTES.forEach((path, type) -> local.put(path, type.getName()));
        assertEquals(deployed, local);
    }

    /** A 429 injected at local mode's front door (GatewayFaults) is the deployed gateway's quota reply, word for word. */
    @Test
    void theInjectedQuotaReplyIsTheTemplates() throws Exception {
        assertEquals(FrontDoorTest.gatewayResponses().get("QUOTA_EXCEEDED"), JsonErrors.QUOTA_EXCEEDED);
    }
}
