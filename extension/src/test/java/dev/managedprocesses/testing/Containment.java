package dev.managedprocesses.testing;

import dev.managedprocesses.internal.core.ContainmentMode;
import dev.managedprocesses.internal.os.Os;

/** Which containment this test JVM's scopes use (the Surefire executions run the tests both ways). */
public final class Containment {
    private Containment() {
    }

    /** True when scopes hold their processes in cgroups: the mode allows them, and this machine lets the JVM create them. */
    public static boolean cgroups() {
        return ContainmentMode.current() != ContainmentMode.OFF && Os.current().containment().available();
    }
}
