package dev.managedprocesses.leaks;

import java.util.Locale;

/** What the leak detector does ({@value LeakSettings#MODE_KEY}). */
public enum LeakMode {
    /** Inert (the default). */
    OFF,
    /** Report leaked processes; change no test result. */
    WARN,
    /**
     * Report, fail the test that leaked (or, where no Jupiter extension can fail it, a test of the leak check
     * engine named after it, else the run), and end the leaked processes unless
     * {@value LeakSettings#FAIL_KEEP_KEY} is {@code true}.
     */
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
