package dev.managedprocesses.internal.core;

import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.ProcStat;
import java.util.List;

/**
 * The portable platform's containment: none beyond the processes themselves. Each {@link PortableProcess}
 * answers for the descendants the JDK shows it ({@code ProcessHandle.descendants()}, looked at before every
 * signal); there is no process group, cgroup, marker or readable environment to find anything else by, so
 * a descendant that was re-parented away before it was seen is out of reach (README's platform table).
 */
final class PortableScope extends ScopeContainment {
    static final String DESCRIPTION = "the JDK's process handles (portable platform): each process and the "
            + "descendants the JDK shows it; no process groups, cgroups or marker";

    @Override
    String mechanism() {
        return "process handles";
    }

    @Override
    Container containerForSpawn() {
        return null;
    }

    @Override
    long marker() {
        return 0;
    }

    @Override
    boolean afterSpawn(long childPid, Container container) {
        return false; // the JDK started it: nothing to place or mark
    }

    @Override
    Container adopt(long pid, long startTime) {
        return null;
    }

    @Override
    List<ProcStat> strays(List<TrackedProcess> known, List<ProcStat> snapshot, long threshold) {
        return List.of();
    }

    @Override
    Terminator.Target target() {
        return null;
    }

    @Override
    boolean owns(ProcStat process) {
        return false;
    }

    @Override
    void close() {
        // nothing held
    }
}
