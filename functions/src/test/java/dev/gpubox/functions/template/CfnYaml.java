package dev.gpubox.functions.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a CloudFormation/SAM YAML template into a JSON tree, turning the short-form tags ({@code !Ref},
 * {@code !Sub}, {@code !GetAtt A.b}, ...) into the long form ({@code {"Ref": ...}}) that the schemas and
 * CloudFormation itself understand.
 */
public final class CfnYaml {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FN_TAGS = List.of("Sub", "GetAtt", "If", "Not", "Equals", "And", "Or",
            "Select", "Split", "Join", "FindInMap", "Base64", "GetAZs", "ImportValue", "Cidr", "Transform", "Length",
            "ToJsonString");

    private CfnYaml() {
    }

    public static JsonNode read(Path file) throws IOException {
        LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
        Object tree = new Load(settings, new CfnConstructor(settings)).loadFromString(Files.readString(file));
        return JSON.valueToTree(tree);
    }

    private static final class CfnConstructor extends StandardConstructor {
        CfnConstructor(LoadSettings settings) {
            super(settings);
            tagConstructors.put(new Tag("!Ref"), node -> Map.of("Ref", scalar(node)));
            tagConstructors.put(new Tag("!Condition"), node -> Map.of("Condition", scalar(node)));
            for (String fn : FN_TAGS) {
                tagConstructors.put(new Tag("!" + fn), node -> Map.of("Fn::" + fn, argument(fn, node)));
            }
        }

        private Object argument(String fn, Node node) {
            if (node instanceof ScalarNode scalar) {
                // !GetAtt Resource.Attribute is the one short form whose scalar means a list.
                if (fn.equals("GetAtt")) {
                    String value = scalar.getValue();
                    int dot = value.indexOf('.');
                    return List.of(value.substring(0, dot), value.substring(dot + 1));
                }
                return scalar.getValue();
            }
            if (node instanceof SequenceNode sequence) {
                List<Object> items = new ArrayList<>();
                sequence.getValue().forEach(child -> items.add(constructObject(child)));
                return items;
            }
            Map<Object, Object> map = new LinkedHashMap<>();
            ((MappingNode) node).getValue().forEach(t -> map.put(constructObject(t.getKeyNode()),
                    constructObject(t.getValueNode())));
            return map;
        }

        private static String scalar(Node node) {
            return ((ScalarNode) node).getValue();
        }
    }
}
