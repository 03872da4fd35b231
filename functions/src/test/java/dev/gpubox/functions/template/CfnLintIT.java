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

    /** Findings are silenced only where they arise, with a reason, never for the whole template. */
    @Test
    void theOnlySilencedCheckIsW3005OnTheApiWhoseGeneratedResourcesRaiseIt() throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(Template.REPO)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".cfnlintrc")),
                    "no repository-wide cfn-lint configuration");
        }
        assertFalse(Template.TREE.path("Metadata").has("cfn-lint"), "no template-wide cfn-lint configuration");
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
