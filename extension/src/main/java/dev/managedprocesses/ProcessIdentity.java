package dev.managedprocesses;

import dev.managedprocesses.internal.core.ProcessLookup;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a process is, not just which number it has: pid + start time + boot id. A plain value: equality is
 * identity (two identities with the same pid but different start times are different processes), and
 * nothing here reads the system except the factory {@link #of(long)}.
 *
 * <p>A pid is recycled once its process has been reaped; the start time (on Linux clock ticks since
 * boot, field 22 of {@code /proc/<pid>/stat}) and the boot id ({@code /proc/sys/kernel/random/boot_id})
 * tell the original from a stranger that got the same number later. To ask whether that very process
 * still runs, compare with {@code of(pid)}, or assert it:
 *
 * <pre>{@code
 * ProcessIdentity daemon = ProcessIdentity.of(pid).orElseThrow();
 * ...
 * boolean stillRunning = ProcessIdentity.of(daemon.pid()).equals(Optional.of(daemon));
 * assertThat(daemon).isNotAlive();            // ProcessAssertions, with the facts on failure
 * }</pre>
 *
 * <p>Limit: the kernel counts start time in clock ticks (10 ms here), so a pid recycled within the same
 * tick has the same identity. Handles of processes this library spawned do not depend on that: they
 * hold a pidfd (or the unreaped child) that no stranger can take over.
 *
 * @param pid the process id
 * @param startTime start time, in the platform's units (Linux: clock ticks since boot; the portable platform:
 *     milliseconds since the epoch, or 10 ms ticks where the JDK reads start times that coarsely, as on Linux)
 * @param bootId the kernel's boot id when the identity was read (the portable platform: the start instant of pid 1)
 */
public record ProcessIdentity(long pid, long startTime, String bootId) {

    /**
     * An identity from values read elsewhere (a pid file and its start time, a report). Reads nothing
     * from the system; {@link #of(long)} reads a live process's.
     *
     * @param pid the process id, positive
     * @param startTime start time, in the platform's units (Linux: clock ticks since boot)
     * @param bootId the kernel's boot id when the identity was read
     * @throws IllegalArgumentException if {@code pid} is not positive
     * @throws NullPointerException if {@code bootId} is null
     */
    public ProcessIdentity {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive but was " + pid);
        }
        Objects.requireNonNull(bootId, "bootId");
    }

    /**
     * The identity of whatever process holds {@code pid} right now, read from the process table; empty
     * when no live process does (zombies count as gone).
     *
     * @param pid the process id to look up
     * @return the identity of the process holding {@code pid} now, or empty
     */
    public static Optional<ProcessIdentity> of(long pid) {
        return ProcessLookup.identify(pid);
    }

    @Override
    public String toString() {
        return "pid " + pid + " (started at tick " + startTime + ")";
    }
}
