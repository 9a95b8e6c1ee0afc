package dev.managedprocesses.internal.assertj;

import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.internal.core.ProcessLookup;
import java.util.List;
import java.util.Optional;

/**
 * This library's idea of "alive" for the JDK's own handles. The JDK counts a zombie (exited, not
 * reaped by its parent) as alive; here it is not, as for a {@code ManagedProcess}.
 */
public final class JdkLiveness {
    private JdkLiveness() {
    }

    /** Empty while {@code handle} runs; else why it does not. */
    public static Optional<String> whyNotAlive(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return Optional.of("it has ended");
        }
        return zombie(handle.pid());
    }

    /** Empty while {@code process} runs; else why it does not. */
    public static Optional<String> whyNotAlive(Process process) {
        if (!process.isAlive()) {
            return Optional.of("it exited with code " + process.exitValue());
        }
        // Not reaped yet by the JDK (so the pid still names it): it may already be a zombie.
        return zombie(process.pid());
    }

    private static Optional<String> zombie(long pid) {
        Optional<ProcessInfo> stat = ProcessLookup.holder(pid);
        if (stat.isPresent() && !stat.get().isAlive()) {
            return Optional.of("it is a zombie: it exited and its parent (pid " + stat.get().ppid()
                    + ") has not reaped it yet");
        }
        return Optional.empty();
    }

    /** {@code ": sleep 100"}: what a running process runs, for "still running" messages; empty if unreadable. */
    public static String running(long pid) {
        return ProcessLookup.holder(pid).filter(ProcessInfo::isAlive).map(ProcessInfo::commandLine)
                .filter(c -> !c.isEmpty()).map(c -> ": " + c).orElse("");
    }

    /** The live (non-zombie) descendants of {@code handle}, described. */
    public static List<ProcessInfo> liveDescendants(ProcessHandle handle) {
        return handle.descendants()
                .filter(ProcessHandle::isAlive)
                .map(d -> ProcessLookup.holder(d.pid()).filter(ProcessInfo::isAlive))
                .flatMap(Optional::stream)
                .toList();
    }
}
