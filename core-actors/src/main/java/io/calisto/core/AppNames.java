package io.calisto.core;

import java.util.regex.Pattern;

/**
 * What an app may be called: {@value #RULE}. Names end up in {@code --events jsonl}, the summary, ctl's tables, log
 * lines and counter labels; a name from another JVM with a newline or a quote in it could forge lines in any of them,
 * so a name outside the rule is refused at registration, local ({@link AppSpec}) or remote (the dataplane checks a
 * remote app's {@code Register} itself), in one line that names the rule.
 */
public final class AppNames {
    public static final String RULE = "[A-Za-z0-9._-]{1,64}";
    private static final Pattern VALID = Pattern.compile(RULE);

    private AppNames() {}

    /** {@code name} if it follows {@link #RULE}; else an IllegalArgumentException naming the rule and showing the name safely. */
    public static String check(String name) {
        if (name != null && VALID.matcher(name).matches()) return name;
        throw new IllegalArgumentException("app name " + printable(name) + " is not allowed: a name must match " + RULE);
    }

    /** {@code s} quoted, cut at 80 characters, with anything but printable ASCII shown as {@code \\uXXXX}: safe on one line. */
    public static String printable(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') b.append(c);
            else b.append(String.format("\\u%04x", (int) c));
        }
        if (s.length() > 80) b.append("...(").append(s.length()).append(" chars)");
        return b.append('\'').toString();
    }
}
