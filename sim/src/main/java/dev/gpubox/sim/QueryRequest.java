package dev.gpubox.sim;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An EC2 Query API request: form fields with EC2's {@code Name.N} list encoding. */
final class QueryRequest {
    private final Map<String, String> params;

    private QueryRequest(Map<String, String> params) {
        this.params = params;
    }

    static QueryRequest parse(String form) {
        Map<String, String> params = new HashMap<>();
        if (form != null && !form.isEmpty()) {
            for (String pair : form.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(key, value);
            }
        }
        return new QueryRequest(params);
    }

    String get(String name) {
        return params.get(name);
    }

    boolean bool(String name) {
        return "true".equalsIgnoreCase(params.get(name));
    }

    Integer integer(String name) {
        String raw = params.get(name);
        if (raw == null) {
            return null;
        }
        try {
            return Integer.valueOf(raw);
        } catch (NumberFormatException e) {
            throw Ec2Error.client("InvalidParameterValue", "Value (" + raw + ") for parameter " + name
                    + " is invalid. Expected an integer.");
        }
    }

    /** {@code InstanceId.1}, {@code InstanceId.2}, ... in index order. */
    List<String> list(String prefix) {
        TreeMap<Integer, String> items = new TreeMap<>();
        params.forEach((key, value) -> {
            if (key.startsWith(prefix + ".")) {
                String index = key.substring(prefix.length() + 1);
                if (index.chars().allMatch(Character::isDigit) && !index.isEmpty()) {
                    items.put(Integer.parseInt(index), value);
                }
            }
        });
        return new ArrayList<>(items.values());
    }

    /** {@code Filter.N.Name} with its {@code Filter.N.Value.M}. */
    Map<String, List<String>> filters() {
        Map<String, List<String>> filters = new HashMap<>();
        params.forEach((key, value) -> {
            if (key.startsWith("Filter.") && key.endsWith(".Name")) {
                String n = key.substring("Filter.".length(), key.length() - ".Name".length());
                filters.put(value, list("Filter." + n + ".Value"));
            }
        });
        return filters;
    }

    /** {@code Tag.N.Key} / {@code Tag.N.Value} pairs, in order; a missing value is null. */
    Map<String, String> tags() {
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        TreeMap<Integer, String[]> byIndex = new TreeMap<>();
        params.forEach((key, value) -> {
            if (key.startsWith("Tag.") && (key.endsWith(".Key") || key.endsWith(".Value"))) {
                String[] parts = key.split("\\.");
                String[] pair = byIndex.computeIfAbsent(Integer.parseInt(parts[1]), i -> new String[2]);
                pair[key.endsWith(".Key") ? 0 : 1] = value;
            }
        });
        byIndex.values().forEach(pair -> tags.put(pair[0], pair[1]));
        return tags;
    }
}
