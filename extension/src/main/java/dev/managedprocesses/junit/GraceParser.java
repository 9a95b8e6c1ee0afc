package dev.managedprocesses.junit;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations such as {@code 2 s}, {@code 500 ms}, {@code 1 min} or ISO-8601 {@code PT2S}. */
final class GraceParser {
    private static final Pattern SIMPLE = Pattern.compile("\\s*(\\d+)\\s*(ns|us|ms|s|sec|m|min|h)\\s*");

    private GraceParser() {
    }

    static Duration parse(String text) {
        String t = text.trim();
        if (t.toUpperCase(Locale.ROOT).startsWith("PT")) {
            try {
                Duration d = Duration.parse(t);
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                // fall through to the error below
            }
        }
        Matcher m = SIMPLE.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ns" -> Duration.ofNanos(n);
                case "us" -> Duration.ofNanos(n * 1000);
                case "ms" -> Duration.ofMillis(n);
                case "s", "sec" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        throw new IllegalArgumentException("'" + text + "' is not a grace period: use a non-negative number with a "
                + "unit, such as \"2 s\", \"500 ms\" or \"1 min\" (or ISO-8601 such as \"PT2S\")");
    }
}
