package dev.gpubox.functions.template;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.regex.Pattern;

/**
 * JSON Schema patterns are ECMA-262 regular expressions. The AWS schemas use two things Java reads
 * differently: a bare {@code [} inside a character class (a literal in ECMA-262, a nested class in Java)
 * and {@code \p{L}}-style classes (which Java reads as ECMA-262 with the u flag does). This escapes the
 * first and keeps the second, then matches the way JSON Schema does: anywhere in the value.
 */
final class EcmaPatterns implements RegularExpressionFactory {
    static final EcmaPatterns INSTANCE = new EcmaPatterns();

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = Pattern.compile(toJava(regex));
        return value -> pattern.matcher(value).find();
    }

    static String toJava(String ecma) {
        StringBuilder out = new StringBuilder(ecma.length() + 8);
        boolean inClass = false;
        for (int i = 0; i < ecma.length(); i++) {
            char c = ecma.charAt(i);
            if (c == '\\' && i + 1 < ecma.length()) {
                out.append(c).append(ecma.charAt(++i));
                continue;
            }
            if (inClass && c == '[') {
                out.append("\\[");
                continue;
            }
            if (c == '[') {
                inClass = true;
            } else if (c == ']' && inClass) {
                inClass = false;
            }
            out.append(c);
        }
        return out.toString();
    }
}
