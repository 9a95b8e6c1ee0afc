package dev.managedprocesses.internal.os;

import java.util.Locale;

/**
 * Which platform this JVM uses, decided once and in pure Java (nothing native is loaded to decide):
 * {@value #LINUX} (libc through jffi, {@code /proc}, pidfds, process groups) on Linux, and
 * {@value #PORTABLE} (the JDK alone: {@code ProcessBuilder} and {@code ProcessHandle}) everywhere else,
 * and on Linux when {@value #KEY}{@code =portable} is given as a system property or (through
 * {@link #request}) as a JUnit configuration parameter. The first use of the library fixes the choice
 * for the life of the JVM: the process table, the signals and the children of one platform cannot be
 * handed to the other.
 */
public final class PlatformChoice {
    /** The system property and JUnit configuration parameter: {@code auto} (the default), {@code linux}, {@code portable}. */
    public static final String KEY = "managedprocesses.platform";
    /** The native Linux platform. */
    public static final String LINUX = "linux";
    /** The JDK-only platform. */
    public static final String PORTABLE = "portable";
    private static final String AUTO = "auto";

    private static String chosen;   // guarded by the class
    private static String because;  // guarded by the class: why, for the message of a late conflicting request

    private PlatformChoice() {
    }

    /** The platform in use, {@value #LINUX} or {@value #PORTABLE}; the first call fixes it. */
    public static synchronized String current() {
        if (chosen == null) {
            String property = System.getProperty(KEY);
            fix(decide(property, "the system property " + KEY), property == null || property.isBlank()
                    ? "this is " + System.getProperty("os.name") : "-D" + KEY + "=" + property.trim());
        }
        return chosen;
    }

    /**
     * Asks for a platform by a value of {@value #KEY} that came from {@code source} (the JUnit configuration
     * parameter, read by the extension and the leak detector before they start anything). {@code auto} or an
     * empty value leave the choice to the system property and the operating system.
     *
     * @return the platform in use
     * @throws IllegalArgumentException for a value other than {@code auto}, {@code linux} or {@code portable}
     * @throws IllegalStateException when this JVM already uses the other platform
     * @throws UnsupportedOperationException for {@code linux} on another operating system
     */
    public static synchronized String request(String value, String source) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase(AUTO)) {
            return current();
        }
        String wanted = decide(value, source);
        if (chosen == null) {
            fix(wanted, KEY + "=" + value.trim() + " (" + source + ")");
        } else if (!chosen.equals(wanted)) {
            throw new IllegalStateException(KEY + "=" + value.trim() + " (" + source + ") asks for the " + wanted
                    + " platform, but this JVM already uses the " + chosen + " platform (" + because + "), fixed by "
                    + "the first use of managed-processes. Set it as a system property instead (-D" + KEY + "="
                    + wanted + ", e.g. in Surefire's <systemPropertyVariables> or <argLine>), which applies from the start");
        }
        return chosen;
    }

    /** Why the platform in use was chosen ({@code this is Linux}, {@code -Dmanagedprocesses.platform=portable}...). */
    public static synchronized String reason() {
        current();
        return because;
    }

    /** True when this JVM runs on Linux (whatever platform the library uses there). */
    public static boolean onLinux() {
        return osName().contains("linux");
    }

    /** True when this JVM runs on Windows. */
    public static boolean onWindows() {
        return osName().startsWith("windows");
    }

    private static String osName() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    }

    private static void fix(String platform, String why) {
        chosen = platform;
        because = why;
    }

    private static String decide(String value, String source) {
        String v = value == null ? AUTO : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "", AUTO -> {
                return onLinux() ? LINUX : PORTABLE;
            }
            case PORTABLE -> {
                return PORTABLE;
            }
            case LINUX -> {
                if (!onLinux()) {
                    throw new UnsupportedOperationException(KEY + "=linux (" + source + ") asks for the native Linux "
                            + "platform, but this is " + System.getProperty("os.name") + ". Remove the setting (or use "
                            + "auto): the portable platform is chosen here by itself");
                }
                return LINUX;
            }
            default -> throw new IllegalArgumentException(KEY + "='" + value + "' (" + source + ") is not a platform: "
                    + "use auto (the default: linux on Linux, portable elsewhere), linux or portable");
        }
    }
}
