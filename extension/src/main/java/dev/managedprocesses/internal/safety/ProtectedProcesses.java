package dev.managedprocesses.internal.safety;

import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The processes this library never signals, whatever it is asked: pid 0 and negative pids (kill(2)
 * reads them as whole groups), 1 (init), 2 (kthreadd), this JVM, every one of its ancestors (its parent,
 * the build tool above it, the shell above that...), its session leader and the leader of its process
 * group; and never the JVM's process group as a whole (a single member of it, such as a child the JDK
 * started, may be signalled on its own). The one list: every path that signals, in the library, in the
 * leak detector and (by the arguments it is started with) in the crash-safety janitor, asks it right
 * before the system call, so a bug elsewhere cannot turn into killing the build.
 *
 * <p>Ancestors are remembered by identity (pid and start time), read once: the JVM can only ever be
 * re-parented upwards (to a subreaper above it, or init), so the chain read at start stays a superset
 * of the live ancestors, and an ancestor that has died, whose pid a test's child may now hold, no longer
 * matches its start time and protects nothing.
 */
public final class ProtectedProcesses {
    private static volatile Map<Long, Long> ancestors; // pid -> start time, nearest first

    private ProtectedProcesses() {
    }

    /** Why {@code pid} must never be signalled, or null when it may be. */
    public static String reason(ProcessTable table, long pid) {
        if (pid < 0) {
            return "a negative pid (kill(2) would read it as a whole process group)";
        }
        if (pid == 0) {
            return "pid 0 (kill(2) would signal the JVM's whole process group)";
        }
        if (pid == 1) {
            return "init (pid 1)";
        }
        if (pid == 2) {
            return "the kernel's thread daemon (pid 2)";
        }
        if (pid == table.selfPid()) {
            return "this JVM";
        }
        if (table.isOwnThread(pid)) {
            return "a thread of this JVM (a signal to it, or a move of it, reaches the whole JVM)";
        }
        if (pid == table.selfParentPid()) {
            return "this JVM's parent";
        }
        if (pid == table.selfSessionId()) {
            return "this JVM's session leader";
        }
        if (pid == table.selfProcessGroupId()) {
            return "the leader of this JVM's process group";
        }
        Long start = ancestors(table).get(pid);
        if (start != null && table.stat(pid).filter(s -> s.startTime() == start).isPresent()) {
            return "an ancestor of this JVM, such as the build tool or the shell that started it";
        }
        return null;
    }

    /** Why the group {@code pgid} must never be signalled as a whole, or null when it may be. */
    public static String groupReason(ProcessTable table, long pgid) {
        String why = reason(table, pgid);
        return why == null && pgid == table.selfProcessGroupId() ? "the JVM's own process group" : why;
    }

    /** Throws when {@code pid} must never be signalled; {@code action} says what was attempted. */
    public static void checkProcess(ProcessTable table, long pid, String action) {
        String why = reason(table, pid);
        if (why != null) {
            throw new IllegalArgumentException("Refusing to " + action + " pid " + pid + ": it is " + why
                    + ". managed-processes only signals processes it started or adopted");
        }
    }

    /** Throws when the group {@code pgid} must never be signalled. */
    public static void checkGroup(ProcessTable table, long pgid, String action) {
        String why = groupReason(table, pgid);
        if (why != null) {
            throw new IllegalArgumentException("Refusing to " + action + " process group " + pgid + ": it is " + why
                    + ". managed-processes only signals the groups of processes it started");
        }
    }

    /** The JVM's ancestors above its parent, by identity, nearest first (for the janitor, which protects them too). */
    public static Map<Long, Long> ancestors(ProcessTable table) {
        Map<Long, Long> a = ancestors;
        if (a == null) {
            synchronized (ProtectedProcesses.class) {
                a = ancestors;
                if (a == null) {
                    a = readAncestors(table);
                    ancestors = a;
                }
            }
        }
        return a;
    }

    private static Map<Long, Long> readAncestors(ProcessTable table) {
        Map<Long, Long> out = new LinkedHashMap<>();
        long pid = table.selfParentPid();
        for (int depth = 0; depth < 128 && pid > 1; depth++) {
            Optional<ProcStat> s = table.stat(pid);
            if (s.isEmpty()) {
                break;
            }
            out.put(pid, s.get().startTime());
            pid = s.get().ppid();
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
