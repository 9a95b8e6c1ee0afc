package dev.managedprocesses.internal.core;

import dev.managedprocesses.internal.janitor.Janitor;
import dev.managedprocesses.internal.os.Os;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * At normal JVM exit ({@code System.exit}, the end of {@code main}, SIGTERM/SIGINT to the JVM), ends
 * what is still running: closes every scope that started or adopted something and is still open (the
 * usual teardown: SIGTERM, grace, SIGKILL, reap), then tells the {@link Janitor} {@code bye} so it
 * exits without touching anything. A JVM that is killed runs no hook: that is the janitor's case.
 * Without a janitor (it could not start, or it is switched off) this hook is what remains.
 */
final class ExitTeardown {
    private static final Set<ScopeCore> OPEN = new LinkedHashSet<>(); // guarded by the class
    private static boolean installed;                                     // guarded by the class
    private static boolean exiting;                                       // guarded by the class

    private ExitTeardown() {
    }

    /**
     * {@code scope} has its first process: close it at exit if nobody else does.
     *
     * @throws IllegalStateException when the JVM is already shutting down (the hook may have run past it)
     */
    static synchronized void opened(ScopeCore scope) {
        ensureInstalled();
        if (exiting) {
            throw new IllegalStateException("Cannot start or adopt processes in " + scope + ": the JVM is shutting "
                    + "down, and nothing would end them");
        }
        OPEN.add(scope);
    }

    /**
     * Installs the hook (once) without a scope: before the first look at the containment mechanism, which may
     * create this JVM's cgroup directory ({@link ContainmentMode#containment}), so that the hook, not the next
     * JVM, removes it.
     */
    static synchronized void ensureInstalled() {
        if (!exiting && !installed) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(ExitTeardown::run, "managed-processes-exit"));
                installed = true;
            } catch (IllegalStateException e) {
                exiting = true; // the JVM is shutting down already
            }
        }
    }

    /** {@code scope} is closed. */
    static synchronized void closed(ScopeCore scope) {
        OPEN.remove(scope);
    }

    private static void run() {
        List<ScopeCore> open;
        synchronized (ExitTeardown.class) {
            exiting = true;
            open = new ArrayList<>(OPEN);
        }
        for (ScopeCore scope : open) {
            String message;
            try {
                ScopeCore.Teardown t = scope.close();
                message = t.survivors().isEmpty() && t.respawners().isEmpty() ? null
                        : Terminator.teardownFailure(scope.toString(), t.survivors(), t.respawners());
            } catch (RuntimeException e) {
                message = String.valueOf(e.getMessage());
            }
            if (message != null) {
                // Survivors of SIGKILL, most likely: say so in one line; the exit goes on.
                int nl = message.indexOf('\n');
                System.err.println("managed-processes: at JVM exit, " + (nl < 0 ? message : message.substring(0, nl)));
            }
        }
        Os.current().containment().release();
        Janitor.bye();
    }
}
