package dev.gpubox.cli.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a stack update does to an {@code AWS::EC2::Instance} for each property ("Update requires" in the
 * CloudFormation reference), from {@code ec2-instance-updates.properties} beside this class: the one table
 * the deploy guard and the template tests share.
 */
public final class InstanceUpdates {
    /** The reference's three update behaviours. */
    public enum Behaviour { REPLACEMENT, INTERRUPTION, NONE }

    static final String RESOURCE = "ec2-instance-updates.properties";
    private static final Map<String, Behaviour> TABLE = load();

    private InstanceUpdates() {
    }

    /** The behaviour of updating {@code property}; one the table does not list counts as an interruption. */
    public static Behaviour of(String property) {
        return TABLE.getOrDefault(property, Behaviour.INTERRUPTION);
    }

    static boolean listed(String property) {
        return TABLE.containsKey(property);
    }

    public static Map<String, Behaviour> table() {
        return TABLE;
    }

    private static Map<String, Behaviour> load() {
        Properties properties = new Properties();
        try (InputStream in = InstanceUpdates.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Behaviour> table = new TreeMap<>();
        properties.forEach((k, v) -> table.put(k.toString(), Behaviour.valueOf(v.toString().trim().toUpperCase(java.util.Locale.ROOT))));
        return Map.copyOf(table);
    }
}
