package dev.gpubox.sim;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Writes EC2 Query API replies: {@code <ActionResponse xmlns=...>} with AWS's element names. */
final class Xml {
    static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private final StringBuilder out = new StringBuilder(512);

    static String response(String action, String requestId, Consumer<Xml> body) {
        Xml xml = new Xml();
        xml.out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<").append(action).append("Response xmlns=\"")
                .append(NAMESPACE).append("\">");
        xml.leaf("requestId", requestId);
        body.accept(xml);
        xml.out.append("</").append(action).append("Response>");
        return xml.out.toString();
    }

    /** AWS's error envelope; note {@code RequestID}, not {@code requestId}. */
    static String error(String code, String message, String requestId) {
        Xml xml = new Xml();
        xml.out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>");
        xml.leaf("Code", code);
        xml.leaf("Message", message);
        xml.out.append("</Error></Errors>");
        xml.leaf("RequestID", requestId);
        xml.out.append("</Response>");
        return xml.out.toString();
    }

    Xml open(String name) {
        out.append('<').append(name).append('>');
        return this;
    }

    Xml close(String name) {
        out.append("</").append(name).append('>');
        return this;
    }

    /** An element with text; nothing at all when the value is null (EC2 omits unset fields). */
    Xml leaf(String name, Object value) {
        if (value != null) {
            out.append('<').append(name).append('>').append(escape(value.toString())).append("</").append(name)
                    .append('>');
        }
        return this;
    }

    /** Text inside the open element (an item of a list of strings). */
    Xml text(Object value) {
        out.append(escape(value.toString()));
        return this;
    }

    <T> Xml set(String name, List<T> items, BiConsumer<Xml, T> item) {
        open(name);
        for (T t : items) {
            open("item");
            item.accept(this, t);
            close("item");
        }
        return close(name);
    }

    Xml tags(Map<String, String> tags) {
        if (tags.isEmpty()) {
            return this;
        }
        return set("tagSet", List.copyOf(tags.entrySet()), (x, t) -> x.leaf("key", t.getKey()).leaf("value", t.getValue()));
    }

    Xml state(String element, String name, int code) {
        return open(element).leaf("code", code).leaf("name", name).close(element);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
