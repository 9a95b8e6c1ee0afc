package dev.managedprocesses.internal.safety;

import dev.managedprocesses.internal.os.ProcessControl;

/**
 * Makes the JVM a child subreaper (once, on the first process started), so descendants orphaned by
 * a double fork or a dying parent re-parent to the JVM instead of init: the scope can still find,
 * end and reap them. Switch off with {@code -Dmanagedprocesses.subreaper=false}. The leak detector,
 * when on, makes the JVM a subreaper at the start of the run through {@link #force} whatever that
 * property says, unless its own switch says no ({@code managedprocesses.leaks.subreaper=false}).
 *
 * <p>Side effect: orphans of processes the JDK started (not ours) also re-parent to the JVM, and the
 * JDK never reaps them. {@link OrphanReaper} reaps such a zombie child (never one of our own unreaped
 * children) once it has been seen unreaped for two seconds: the JDK reaps its own children within
 * microseconds, so by then it is nobody else's. It looks when a scope closes and during the leak
 * detector's checks; until then such a zombie, which runs nothing, waits.
 */
public final class Subreaper {
    /** System property that switches the subreaper off. */
    public static final String PROPERTY = "managedprocesses.subreaper";

    private static volatile Boolean active;

    private Subreaper() {
    }

    /** Makes the JVM a subreaper unless switched off by the system property; idempotent. */
    public static void ensure(ProcessControl control) {
        if (active == null) {
            synchronized (Subreaper.class) {
                if (active == null) {
                    active = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true")) && control.makeChildSubreaper();
                }
            }
        }
    }

    /** Makes the JVM a subreaper regardless of the system property (the leak detector's own switch decides). */
    public static synchronized boolean force(ProcessControl control) {
        if (!Boolean.TRUE.equals(active)) {
            active = control.makeChildSubreaper();
        }
        return active;
    }

    /** True when this JVM is a subreaper because of this library. */
    public static boolean isActive() {
        return Boolean.TRUE.equals(active);
    }
}
