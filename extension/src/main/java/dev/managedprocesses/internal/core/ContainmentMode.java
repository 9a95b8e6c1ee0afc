package dev.managedprocesses.internal.core;

import dev.managedprocesses.internal.os.Containment;
import dev.managedprocesses.internal.os.Os;
import java.util.Locale;

/**
 * {@value #KEY}: whether scopes hold their processes in containers the kernel guarantees (cgroup v2).
 * {@code auto} (the default) uses them where this JVM may create them and falls back to process groups,
 * markers and lineage elsewhere; {@code off} never uses them; {@code required} fails the first start or
 * adoption, saying what to do, where they are unavailable. Read from the system property, or set once
 * from the JUnit configuration parameter of the same name before the first scope starts anything.
 */
public enum ContainmentMode {
    AUTO, OFF, REQUIRED;

    /** The system property and JUnit configuration parameter. */
    public static final String KEY = "managedprocesses.cgroups";

    private static volatile ContainmentMode configured;

    /** The mode in effect: configured, else the system property, else {@code auto}. */
    public static ContainmentMode current() {
        ContainmentMode m = configured;
        return m != null ? m : parse(System.getProperty(KEY), "system property " + KEY);
    }

    /**
     * Sets the mode from a configuration value (the JUnit configuration parameter); the first call wins,
     * since scopes that have started anything keep the mode they started with.
     *
     * @throws IllegalArgumentException for a value other than auto, off or required
     */
    public static void configure(String value, String source) {
        ContainmentMode m = parse(value, source);
        synchronized (ContainmentMode.class) {
            if (configured == null) {
                configured = m;
            }
        }
    }

    /**
     * The platform's containment, for the engine's every look at it: the first look at cgroups creates this
     * JVM's own directory (even in a JVM that then starts nothing, such as one that only runs the leak
     * detector), so the exit hook that removes it is installed before.
     */
    static Containment containment(Os os) {
        if (!os.portable()) {
            ExitTeardown.ensureInstalled();
        }
        return os.containment();
    }

    /**
     * What scopes of this JVM use, in one line, as the run states it once and the leak report's header shows
     * it: the cgroup mechanism and where, or the fallback and why cgroups are not used (with what to do).
     */
    public static String describe(Os os) {
        ContainmentMode mode = current();
        Containment containment = containment(os);
        if (os.portable()) {
            return PortableScope.DESCRIPTION;
        }
        if (mode != OFF && containment.available()) {
            return containment.describe() + (containment.placesAtBirth() ? ""
                    : earlyForks(os, "moved into its cgroup only after posix_spawn returns (glibc 2.39+ places it"
                            + " there at birth)"));
        }
        return LineageScope.DESCRIPTION + earlyForks(os, "marked only after posix_spawn returns") + "; no cgroups: "
                + (mode == OFF ? "switched off (" + KEY + "=off)" : containment.describe());
    }

    /**
     * The gap a child's first moments leave, when nothing covers it: what the child forks before the library
     * has placed or marked it is found by the birth mark (or its process group and parent chain), and where
     * the birth mark cannot be read, a fork that leaves both (setsid, then its parent exits) escapes.
     */
    private static String earlyForks(Os os, String when) {
        String problem = os.table().birthMarkProblem();
        return problem == null ? "" : "; caveat: a child is " + when + ", and what it forks before that can escape"
                + " its scope, because " + problem;
    }

    static ContainmentMode parse(String value, String source) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "off", "false" -> OFF;
            case "required", "true" -> REQUIRED;
            default -> throw new IllegalArgumentException(source + " is '" + value + "': use auto (cgroups where this"
                    + " JVM may create them), off, or required");
        };
    }
}
