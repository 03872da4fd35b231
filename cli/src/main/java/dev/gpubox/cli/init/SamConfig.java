package dev.gpubox.cli.init;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * samconfig.toml's {@code [default.deploy.parameters]}, read and written with a TOML library: what
 * {@code sam deploy} (and so {@code ./gpubox deploy}) reads. Everything else in the file is kept as it was.
 */
final class SamConfig {
    /** {@code Key="value"} or {@code Key=value}, as sam writes parameter_overrides. */
    private static final Pattern OVERRIDE = Pattern.compile("(\\w+)=(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S*))");

    private final TomlMapper toml = new TomlMapper();
    private final Path file;
    private final ObjectNode root;

    private SamConfig(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    static SamConfig load(Path file) throws IOException {
        TomlMapper toml = new TomlMapper();
        ObjectNode root = Files.exists(file) ? (ObjectNode) toml.readTree(file.toFile())
                : toml.createObjectNode().put("version", 0.1);
        return new SamConfig(file, root);
    }

    ObjectNode deploy() {
        return root.withObjectProperty("default").withObjectProperty("deploy").withObjectProperty("parameters");
    }

    String text(String key) {
        JsonNode v = deploy().get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** parameter_overrides as an ordered map (sam writes one string; a list of strings is read too). */
    Map<String, String> overrides() {
        Map<String, String> map = new LinkedHashMap<>();
        JsonNode node = deploy().get("parameter_overrides");
        if (node == null) {
            return map;
        }
        StringBuilder all = new StringBuilder();
        if (node.isArray()) {
            node.forEach(n -> all.append(n.asText()).append(' '));
        } else {
            all.append(node.asText());
        }
        Matcher m = OVERRIDE.matcher(all);
        while (m.find()) {
            map.put(m.group(1), m.group(2) != null ? m.group(2).replace("\\\"", "\"") : m.group(3));
        }
        return map;
    }

    void setOverrides(Map<String, String> overrides) {
        StringBuilder s = new StringBuilder();
        overrides.forEach((k, v) -> s.append(s.isEmpty() ? "" : " ").append(k).append("=\"")
                .append(v.replace("\"", "\\\"")).append('"'));
        deploy().put("parameter_overrides", s.toString());
    }

    /** Writes the file when its content changed; says whether it did. */
    boolean save() throws IOException {
        if (Files.exists(file) && toml.readTree(file.toFile()).equals(root)) {
            return false;
        }
        Files.writeString(file, toml.writeValueAsString(root));
        return true;
    }
}
