package dev.gpubox.box;

/**
 * The one way a reply's message quotes something it was given (a query value, a path, AWS's own words):
 * one line, no control characters, and short, so the point of the message stays in the first ~120
 * characters a phone notification shows, whatever the caller sent.
 */
public final class Quote {
    /** Longest excerpt of caller input a message quotes. */
    public static final int INPUT_EXCERPT = 24;
    /** Longest excerpt of an upstream (AWS) message a reply carries. */
    public static final int UPSTREAM_EXCERPT = 160;

    private Quote() {
    }

    /** {@code 'value'}, sanitised and cut to {@link #INPUT_EXCERPT} characters ("…" marks a cut). */
    public static String input(String raw) {
        return "'" + excerpt(raw, INPUT_EXCERPT) + "'";
    }

    /** AWS's message (or any other upstream text), one line, at most {@link #UPSTREAM_EXCERPT} characters. */
    public static String upstream(String raw) {
        return excerpt(raw, UPSTREAM_EXCERPT);
    }

    /** Control characters (newlines, tabs, escapes) become spaces, runs of spaces one; cut at {@code max}. */
    public static String excerpt(String raw, int max) {
        if (raw == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), max + 1));
        boolean space = false;
        for (int i = 0; i < raw.length() && out.length() <= max; ) {
            int cp = raw.codePointAt(i);
            i += Character.charCount(cp);
            boolean blank = Character.isISOControl(cp) || Character.isWhitespace(cp)
                    || Character.getType(cp) == Character.FORMAT || Character.getType(cp) == Character.LINE_SEPARATOR
                    || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR;
            if (blank) {
                if (!space && out.length() > 0) {
                    out.append(' ');
                }
                space = true;
            } else {
                out.appendCodePoint(cp);
                space = false;
            }
        }
        String text = out.toString().strip();
        if (text.length() > max) {
            int cut = max - 1;
            if (Character.isLowSurrogate(text.charAt(cut))) {
                cut--;
            }
            return text.substring(0, cut) + "…";
        }
        return text;
    }
}
