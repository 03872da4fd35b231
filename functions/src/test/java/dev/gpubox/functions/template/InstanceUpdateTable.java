package dev.gpubox.functions.template;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The CloudFormation reference's "Update requires" for each AWS::EC2::Instance property, from the one table
 * the deploy guard reads (local's ec2-instance-updates.properties), read here by path.
 */
final class InstanceUpdateTable {
    static final Path FILE = Template.REPO.resolve("cli/src/main/resources/dev/gpubox/cli/deploy/ec2-instance-updates.properties");
    static final Map<String, String> TABLE = load();

    private InstanceUpdateTable() {
    }

    /** Properties whose change replaces the instance. */
    static Set<String> replacing() {
        return with("replacement");
    }

    /** Whether changing {@code property} leaves a running box alone ("No interruption"); unknown ones do not. */
    static boolean harmless(String property) {
        return "none".equals(TABLE.get(property));
    }

    private static Set<String> with(String behaviour) {
        return TABLE.entrySet().stream().filter(e -> e.getValue().equals(behaviour)).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static Map<String, String> load() {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(FILE)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> table = new TreeMap<>();
        properties.forEach((k, v) -> table.put(k.toString(), v.toString().trim()));
        return table;
    }
}
