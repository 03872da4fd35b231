package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** `cfn-lint template.yaml` (the linter `sam validate --lint` runs, SAM transform included) finds nothing. */
class CfnLintIT {
    @Test
    void cfnLintFindsNothing() throws Exception {
        AwsTools.Run lint = AwsTools.cfnLint(Template.FILE);
        assertEquals("", lint.output(), "cfn-lint findings");
        assertEquals(0, lint.exit(), lint.output());
    }

    /**
     * Findings are silenced only where they arise, with a reason. The one template-wide silence is W2506, which
     * reports on the ImageId parameter itself (outside any resource, where no resource Metadata reaches) and
     * asks for the AWS-specific type issue 14 point 7 removes on purpose.
     */
    @Test
    void theOnlySilencedChecksAreW3005OnTheApiAndW2506OnThePlainImageIdParameter() throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(Template.REPO)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".cfnlintrc")),
                    "no repository-wide cfn-lint configuration");
        }
        assertEquals("{\"config\":{\"ignore_checks\":[\"W2506\"]}}", Template.TREE.path("Metadata").path("cfn-lint").toString(),
                "template-wide: W2506 only");
        assertEquals("String", Template.TREE.path("Parameters").path("ImageId").path("Type").asText(), "W2506's reason");
        String template = Files.readString(Template.FILE);
        String why = template.substring(template.indexOf("cfn-lint:"), template.indexOf("ignore_checks: [W2506]"));
        assertTrue(why.contains("every later update would fail") && why.contains("only be silenced here"), why);
        List<String> silenced = new ArrayList<>();
        Template.resources().properties().forEach(e -> {
            JsonNode ignored = e.getValue().path("Metadata").path("cfn-lint").path("config").path("ignore_checks");
            ignored.forEach(check -> silenced.add(e.getKey() + ":" + check.asText()));
        });
        assertEquals(List.of("GpuApi:W3005"), silenced);
        String text = Files.readString(Template.FILE);
        String around = text.substring(text.indexOf("ignore_checks: [W3005]") - 300, text.indexOf("ignore_checks: [W3005]"));
        assertTrue(around.contains("SAM generates"), "the silence says why: " + around);
    }
}
