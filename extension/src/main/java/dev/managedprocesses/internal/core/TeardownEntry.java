package dev.managedprocesses.internal.core;

import dev.managedprocesses.EndedBy;
import dev.managedprocesses.ExitStatus;
import java.time.Duration;
import java.util.List;

/**
 * What teardown did to one process; the public {@code ProcessRecord} is made from it.
 *
 * @param pid the process id
 * @param command its command line
 * @param origin how it came to be tracked
 * @param leftover it (or its group) still ran when teardown began
 * @param endedBy what ended it; null when it survived
 * @param exitStatus its status, when known
 * @param teardownTime how long teardown took for it; null when it had ended before
 * @param survived still alive after SIGKILL
 * @param containment the mechanism that held it ({@code cgroup v2}, {@code process groups, marker and lineage})
 */
public record TeardownEntry(long pid, List<String> command, TrackedProcess.Origin origin, boolean leftover,
        EndedBy endedBy, ExitStatus exitStatus, Duration teardownTime, boolean survived, String containment) {
}
