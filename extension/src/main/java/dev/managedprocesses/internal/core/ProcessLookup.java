package dev.managedprocesses.internal.core;

import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcessTable;
import java.util.Optional;
import java.util.Set;

/**
 * Read-only questions about processes that are not (or no longer) tracked, for the assertions, the
 * Awaitility conditions and {@code ProcessIdentity.of}: who holds a pid now, is this identity still
 * running, which ports does a process listen on. Nothing here signals or reaps.
 */
public final class ProcessLookup {
    private ProcessLookup() {
    }

    /** The identity of the live process that holds {@code pid} now (a zombie has ended: empty). */
    public static Optional<ProcessIdentity> identify(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        ProcessTable table = Os.current().table();
        return table.stat(pid).filter(s -> !s.isGone()).map(s -> new ProcessIdentity(pid, s.startTime(), table.bootId()));
    }

    /** True when that very process still runs: same boot, same pid, same start time, not a zombie. */
    public static boolean isRunning(ProcessIdentity identity) {
        ProcessTable table = Os.current().table();
        return identity.bootId().equals(table.bootId()) && table.stat(identity.pid())
                .map(s -> !s.isGone() && s.startTime() == identity.startTime()).orElse(false);
    }

    /** Whatever holds {@code pid} now, zombies included, described; empty when the pid is free. */
    public static Optional<ProcessInfo> holder(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        ProcessTable table = Os.current().table();
        return table.stat(pid).flatMap(table::describe);
    }

    /** This boot's id. */
    public static String bootId() {
        return Os.current().table().bootId();
    }

    /** Whether the platform can tell which process holds a listening socket (not the portable one). */
    public static boolean portOwnersKnown() {
        return Os.current().inspector().knowsPortOwners();
    }

    /** The TCP ports {@code pid} itself listens on (see {@code ProcessInspector}). */
    public static Set<Integer> listeningTcpPorts(long pid) {
        return Os.current().inspector().listeningTcpPorts(pid);
    }

    /** Every listening TCP port in {@code pid}'s network namespace, whoever holds it. */
    public static Set<Integer> listeningTcpPortsInNamespaceOf(long pid) {
        return Os.current().inspector().listeningTcpPortsInNamespaceOf(pid);
    }
}
