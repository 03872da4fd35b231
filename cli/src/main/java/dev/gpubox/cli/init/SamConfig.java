package dev.gpubox.cli.init;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * samconfig.toml, read and written with a TOML library: what {@code sam deploy} reads, and the one place
 * {@code ./gpubox init} and {@code ./gpubox deploy} read it. A value is the config environment's
 * {@code [ENV.deploy.parameters]} one, else its {@code [ENV.global.parameters]} one, as SAM CLI looks them up;
 * {@code init} writes {@code [ENV.deploy.parameters]} and keeps everything else in the file as it was.
 */
public final class SamConfig {
    /** The config environment sam uses without {@code --config-env}. */
    public static final String DEFAULT_ENV = "default";
    /** {@code Key="value"} or {@code Key=value}, as sam writes parameter_overrides. */
    private static final Pattern OVERRIDE = Pattern.compile("(\\w+)=(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S*))");

    private final TomlMapper toml = new TomlMapper();
    private final Path file;
    private final String env;
    private final ObjectNode root;

    private SamConfig(Path file, String env, ObjectNode root) {
        this.file = file;
        this.env = env;
        this.root = root;
    }

    /** The default environment of {@code file}; a missing file reads as empty. */
    public static SamConfig load(Path file) throws IOException {
        return load(file, DEFAULT_ENV);
    }

    /** Environment {@code env} of {@code file} (sam's {@code --config-env}); a missing file reads as empty. */
    public static SamConfig load(Path file, String env) throws IOException {
        TomlMapper toml = new TomlMapper();
        ObjectNode root = Files.exists(file) ? (ObjectNode) toml.readTree(file.toFile())
                : toml.createObjectNode().put("version", 0.1);
        return new SamConfig(file, env, root);
    }

    /** The environment's deploy section, created when missing: where {@code init} writes. */
    ObjectNode deploy() {
        return root.withObjectProperty(env).withObjectProperty("deploy").withObjectProperty("parameters");
    }

    /** KEY's value for {@code sam deploy}: the deploy section's, else the global section's; null when neither has it. */
    private JsonNode value(String key) {
        JsonNode section = root.path(env);
        JsonNode v = section.path("deploy").path("parameters").get(key);
        if (v == null || v.isNull()) {
            v = section.path("global").path("parameters").get(key);
        }
        return v == null || v.isNull() ? null : v;
    }

    /** KEY as text (a TOML boolean reads as "true"/"false"), or null. */
    public String text(String key) {
        JsonNode v = value(key);
        return v == null || v.isContainerNode() ? null : v.asText();
    }

    /** KEY as a boolean, or null when it is not set. */
    public Boolean flag(String key) {
        String v = text(key);
        return v == null ? null : Boolean.valueOf(v.strip());
    }

    /**
     * parameter_overrides as sam would take it from the command line: its one string (TOML escapes undone),
     * or each string of a list; empty when not set.
     */
    public List<String> overridesAsArguments() {
        JsonNode node = value("parameter_overrides");
        List<String> args = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> args.add(n.asText()));
        } else if (node != null && !node.asText().isBlank()) {
            args.add(node.asText());
        }
        return args;
    }

    /** parameter_overrides as an ordered map (sam writes one string; a list of strings is read too). */
    public Map<String, String> overrides() {
        return parseOverrides(String.join(" ", overridesAsArguments()));
    }

    /**
     * The parameters named in sam's override syntax: {@code Key=value}, {@code Key="a value"}, and
     * CloudFormation's {@code ParameterKey=Key,ParameterValue=value}.
     */
    public static Map<String, String> parseOverrides(String overrides) {
        Map<String, String> map = new LinkedHashMap<>();
        Matcher m = OVERRIDE.matcher(overrides);
        while (m.find()) {
            String value = m.group(2) != null ? m.group(2).replace("\\\"", "\"") : m.group(3);
            if (m.group(1).equals("ParameterKey") && value.contains(",ParameterValue=")) {
                int comma = value.indexOf(",ParameterValue=");
                map.put(value.substring(0, comma), value.substring(comma + ",ParameterValue=".length()));
            } else {
                map.put(m.group(1), value);
            }
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
