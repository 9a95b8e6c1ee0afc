package dev.managedprocesses.leaks;

import java.util.Locale;

/** What the leak detector does ({@value LeakSettings#MODE_KEY}). */
public enum LeakMode {
    /** Inert (the default). */
    OFF,
    /** Report leaked processes; change no test result. */
    WARN,
    /** Report, and fail the test that leaked (and the run, for engines other than Jupiter). */
    FAIL,
    /** Report, and end the leaked processes (SIGTERM, grace, SIGKILL). */
    KILL;

    static LeakMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid " + LeakSettings.MODE_KEY + "='" + value
                    + "': use off, warn, fail or kill");
        }
    }
}
