package dev.managedprocesses.assertj;

import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.internal.os.ProcStat;
import java.util.List;
import java.util.Optional;

/**
 * This library's idea of "alive" for the JDK's own handles. The JDK counts a zombie (exited, not
 * reaped by its parent) as alive; here it is not, as for a {@code ManagedProcess}.
 */
final class JdkLiveness {
    private JdkLiveness() {
    }

    /** Empty while {@code handle} runs; else why it does not. */
    static Optional<String> whyNotAlive(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return Optional.of("it has ended");
        }
        return zombie(handle.pid());
    }

    /** Empty while {@code process} runs; else why it does not. */
    static Optional<String> whyNotAlive(Process process) {
        if (!process.isAlive()) {
            return Optional.of("it exited with code " + process.exitValue());
        }
        // Not reaped yet by the JDK (so the pid still names it): it may already be a zombie.
        return zombie(process.pid());
    }

    private static Optional<String> zombie(long pid) {
        Optional<ProcStat> stat = OsProcesses.instance().stat(pid);
        if (stat.isPresent() && stat.get().isGone()) {
            return Optional.of("it is a zombie: it exited and its parent (pid " + stat.get().ppid()
                    + ") has not reaped it yet");
        }
        return Optional.empty();
    }

    /** {@code ": sleep 100"}: what a running process runs, for "still running" messages; empty if unreadable. */
    static String running(long pid) {
        OsProcesses os = OsProcesses.instance();
        return os.stat(pid).filter(s -> !s.isGone()).flatMap(os::describe).map(ProcessInfo::commandLine)
                .filter(c -> !c.isEmpty()).map(c -> ": " + c).orElse("");
    }

    /** The live (non-zombie) descendants of {@code handle}, described. */
    static List<ProcessInfo> liveDescendants(ProcessHandle handle) {
        OsProcesses os = OsProcesses.instance();
        return handle.descendants()
                .filter(ProcessHandle::isAlive)
                .map(d -> os.stat(d.pid()).filter(s -> !s.isGone()).flatMap(os::describe))
                .flatMap(Optional::stream)
                .toList();
    }
}
