package dev.managedprocesses;

import dev.managedprocesses.internal.os.OsProcesses;

/**
 * The processes this library never signals, whatever it is asked: pid 0 and negative pids (they
 * mean "a whole group" to kill(2)), 1 (init), 2 (kthreadd), the JVM itself, its parent, its session
 * leader and the leader of its process group; and never its process group as a whole (a single member of
 * it, such as a child the JDK started, may be signalled on its own). Every signal passes this check right before
 * the system call, so a bug elsewhere cannot turn into killing the build.
 */
final class ProtectedProcesses {
    private ProtectedProcesses() {
    }

    /** Throws when {@code pid} must never be signalled; {@code action} says what was attempted. */
    static void checkProcess(OsProcesses os, long pid, String action) {
        String why = reason(os, pid);
        if (why != null) {
            throw new IllegalArgumentException("Refusing to " + action + " pid " + pid + ": it is " + why
                    + ". managed-processes only signals processes it started or adopted");
        }
    }

    /** Throws when the group {@code pgid} must never be signalled. */
    static void checkGroup(OsProcesses os, long pgid, String action) {
        String why = reason(os, pgid);
        if (why == null && pgid == os.selfProcessGroupId()) {
            why = "the JVM's own process group";
        }
        if (why != null) {
            throw new IllegalArgumentException("Refusing to " + action + " process group " + pgid + ": it is " + why
                    + ". managed-processes only signals the groups of processes it started");
        }
    }

    /** Why {@code pid} is protected, or null when it is not (see {@link OsProcesses#protectedReason}). */
    static String reason(OsProcesses os, long pid) {
        return os.protectedReason(pid);
    }
}
