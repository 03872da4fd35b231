package dev.gpubox.functions.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** template.yaml, read once, with helpers the template tests share. */
final class Template {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path FILE = REPO.resolve("template.yaml");
    static final JsonNode TREE = load();
    /** Resources SAM's transform generates for {@code GpuApi}'s usage plan; the template may reference them. */
    static final Map<String, String> GENERATED = Map.of(
            "GpuApiApiKey", "k1l2m3n4o5", "GpuApiUsagePlan", "up1234", "GpuApiUsagePlanKey", "upk1234");

    private Template() {
    }

    private static JsonNode load() {
        try {
            return CfnYaml.read(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode resources() {
        return TREE.path("Resources");
    }

    static JsonNode resource(String logicalId) {
        JsonNode r = resources().get(logicalId);
        if (r == null) {
            throw new AssertionError("template.yaml has no resource " + logicalId);
        }
        return r;
    }

    static List<String> ofType(String type) {
        List<String> ids = new ArrayList<>();
        resources().properties().forEach(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                ids.add(e.getKey());
            }
        });
        return ids;
    }

    /** A function's property, falling back to Globals.Function as SAM does. */
    static JsonNode functionProperty(String logicalId, String property) {
        JsonNode own = resource(logicalId).path("Properties").get(property);
        return own != null ? own : TREE.path("Globals").path("Function").path(property);
    }
}
