package dev.managedprocesses;

import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.internal.os.ProcStat;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who a process is, not just which number it has: pid + start time + boot id.
 *
 * <p>A pid is recycled once its process has been reaped; the start time (clock ticks since boot,
 * field 22 of {@code /proc/<pid>/stat}) and the boot id ({@code /proc/sys/kernel/random/boot_id})
 * tell the original from a stranger that got the same number later. Equality is identity: two
 * identities with the same pid but different start times are different processes.
 *
 * <p>Limit: the kernel counts start time in clock ticks (10 ms here), so a pid recycled within the
 * same tick has the same identity. Handles of processes this library spawned do not depend on that:
 * they hold a pidfd (or the unreaped child) that no stranger can take over.
 *
 * @param pid the process id
 * @param startTime start time in clock ticks since boot
 * @param bootId the kernel's boot id when the identity was read
 */
public record ProcessIdentity(long pid, long startTime, String bootId) {

    public ProcessIdentity {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive but was " + pid);
        }
        Objects.requireNonNull(bootId, "bootId");
    }

    /**
     * The identity of whatever process holds {@code pid} right now; empty when no live process does
     * (zombies count as gone).
     */
    public static Optional<ProcessIdentity> of(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        OsProcesses os = OsProcesses.instance();
        return os.stat(pid).filter(s -> !s.isGone())
                .map(s -> new ProcessIdentity(pid, s.startTime(), os.bootId()));
    }

    /**
     * True when this very process is still alive: its pid is held by a live (non-zombie) process with
     * the same start time, in the same boot. False when it is gone, or when its pid now names a stranger.
     */
    public boolean isCurrent() {
        OsProcesses os = OsProcesses.instance();
        if (!bootId.equals(os.bootId())) {
            return false;
        }
        Optional<ProcStat> now = os.stat(pid);
        return now.isPresent() && !now.get().isGone() && now.get().startTime() == startTime;
    }

    /** The start time as an instant (to the kernel's clock-tick resolution). */
    public Instant startInstant() {
        OsProcesses os = OsProcesses.instance();
        return Instant.ofEpochMilli(os.bootTimeMillis() + startTime * 1000 / os.clockTicksPerSecond());
    }

    @Override
    public String toString() {
        return "pid " + pid + " (started at tick " + startTime + ")";
    }
}
