package dev.gpubox.functions;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The handlers' one JSON codec: jackson-jr over jackson-core, which reads an event into plain maps and lists
 * and writes replies from them. No data-binding ObjectMapper to build at cold start (that and its
 * introspection cost more than the handler's own work), and nulls are written, as docs/api.md shows them.
 */
final class Json {
    private static final JSON CODEC = JSON.builder().enable(JSON.Feature.WRITE_NULL_PROPERTIES).build();

    private Json() {
    }

    /** Any JSON value: a Map, List, String, Number, Boolean or null. */
    static Object parse(byte[] bytes) throws IOException {
        return CODEC.anyFrom(bytes);
    }

    /** The JSON object in {@code bytes}; null when it is not one (or not JSON at all). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> objectOrNull(byte[] bytes) {
        try {
            return parse(bytes) instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    static byte[] bytes(Object value) {
        try {
            return CODEC.asBytes(value);
        } catch (IOException impossible) {
            throw new UncheckedIOException("maps of strings and numbers always serialize", impossible);
        }
    }

    static String string(Object value) {
        try {
            return CODEC.asString(value);
        } catch (IOException impossible) {
            throw new UncheckedIOException("maps of strings and numbers always serialize", impossible);
        }
    }

    /** {@code object.name} as a map (absent, null or not an object: empty). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> child(Map<String, Object> object, String name) {
        return object != null && object.get(name) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** {@code object.name} when it is a string; otherwise null. */
    static String text(Map<String, Object> object, String name) {
        return object != null && object.get(name) instanceof String s ? s : null;
    }
}
