package dev.managedprocesses.internal.os.linux;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A mark that every descendant of a process inherits and that no environment wipe removes, for where
 * cgroups are not writable: the soft {@code RLIMIT_RTTIME} of the child, set with {@code prlimit(2)} right
 * after the spawn to a value unique to its scope. Resource limits live in the kernel's per-process
 * signal struct, not in the process's memory: fork copies them, exec keeps them, and {@code setsid},
 * {@code env -i}, a double fork or a process title written over the environment block (Perl's
 * {@code $0 =}, setproctitle) do not touch them. Readable in {@code /proc/PID/limits} ("Max realtime
 * timeout") by anyone, and through prlimit by the same user.
 *
 * <pre>{@code
 * long marker = RttimeMarker.valueFor(jvmPid, jvmStartTicks, scopeNumber);
 * int errno = RttimeMarker.mark(childPid, marker);         // right after spawn; 0 when set
 * ...
 * boolean ours = RttimeMarker.read(pid).orElse(RttimeMarker.UNLIMITED) == marker;
 * }</pre>
 *
 * <p>Hazards, each handled beside the code named:
 * <ul>
 *   <li><b>It must never fire.</b> RLIMIT_RTTIME limits the CPU time a real-time-scheduled process
 *       (SCHED_FIFO, SCHED_RR) may use without blocking, in microseconds; other processes are never
 *       charged. {@link #valueFor} values lie in [2^62, 2^63) microseconds, over 146,000 years.</li>
 *   <li><b>The hard limit is the process's own.</b> {@link #mark} reads it first and writes it back
 *       unchanged; a soft limit above a finite hard limit is impossible (EINVAL), and the mark is then
 *       not set. The read and the write are two calls: a child that changed its hard RTTIME limit in
 *       between (right after exec, before its own code) would see the old one back.</li>
 *   <li><b>Set on the child, never on the JVM</b>: the JVM's own limit would mark every process any thread
 *       of the JVM starts, through {@code ProcessBuilder} too.</li>
 *   <li><b>The window after spawn</b>: what the child forks before {@link #mark} carries no mark, as with
 *       the move into a cgroup after spawn.</li>
 *   <li><b>Pid reuse</b>: a pid read here names a process only as long as the caller's identity check
 *       (start time, pidfd) says so.</li>
 * </ul>
 */
public final class RttimeMarker {
    static final int RLIMIT_RTTIME = 15;
    /** RLIM_INFINITY (all bits set) as a signed long: "unlimited", the default. */
    public static final long UNLIMITED = -1L;
    private static final long TAG = 1L << 62;
    private static final int PID_BITS = 22;    // pid_max is at most 2^22 (PID_MAX_LIMIT on 64-bit)
    private static final int START_BITS = 16;  // the owner's start time, clock ticks, modulo 2^16
    private static final int SCOPE_BITS = 24;

    private RttimeMarker() {
    }

    /**
     * The marker of scope number {@code scope} (modulo 2^24) of the JVM {@code ownerPid} started at
     * {@code ownerStartTicks}: 2^62 + pid (22 bits) + the start time's low 16 bits + the scope (24 bits).
     * Two JVMs alive at once have different pids; a dead JVM's leftovers match a later JVM with the same
     * pid only if their start times are equal modulo 2^16 ticks (655 s at 100 Hz).
     */
    public static long valueFor(long ownerPid, long ownerStartTicks, long scope) {
        return TAG
                | ((ownerPid & ((1L << PID_BITS) - 1)) << (START_BITS + SCOPE_BITS))
                | ((ownerStartTicks & ((1L << START_BITS) - 1)) << SCOPE_BITS)
                | (scope & ((1L << SCOPE_BITS) - 1));
    }

    /** Whether {@code value} is a marker of this library (any owner, any scope). */
    public static boolean isMarker(long value) {
        return value >= TAG; // [2^62, 2^63): UNLIMITED (-1) and ordinary limits are below
    }

    /** Whether marker {@code value} was made by the JVM {@code ownerPid} started at {@code ownerStartTicks}. */
    public static boolean isOwnedBy(long value, long ownerPid, long ownerStartTicks) {
        return isMarker(value) && (value >>> SCOPE_BITS) == (valueFor(ownerPid, ownerStartTicks, 0) >>> SCOPE_BITS);
    }

    /**
     * Sets the soft RLIMIT_RTTIME of {@code pid} to {@code value}, its hard limit unchanged. Returns 0, or
     * the errno: ESRCH (gone), EPERM (another user's process, and the JVM lacks CAP_SYS_RESOURCE), EINVAL
     * (its hard limit is below {@code value}).
     *
     * @throws IllegalArgumentException for this JVM itself, pid 0 or below, or a value that is no marker
     */
    public static int mark(long pid, long value) {
        if (!isMarker(value)) {
            throw new IllegalArgumentException("not a marker value: " + value);
        }
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing prlimit(" + pid + "): not a single process");
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new IllegalArgumentException("refusing to mark this JVM: every process it starts would inherit the mark");
        }
        LibC libc = CgroupFiles.libc();
        long[] old = new long[2];
        if (libc.prlimit((int) pid, RLIMIT_RTTIME, null, old) != 0) {
            return LibC.errno();
        }
        long hard = old[1];
        if (hard != UNLIMITED && Long.compareUnsigned(hard, value) < 0) {
            return Errno.EINVAL;
        }
        return libc.prlimit((int) pid, RLIMIT_RTTIME, new long[] {value, hard}, null) == 0 ? 0 : LibC.errno();
    }

    /**
     * Marks a child this JVM just spawned, in one prlimit(2): a spawned child has the JVM's own limits, so
     * its hard limit is {@code jvmHardLimit} (read once, {@link #hardLimitOf}) and need not be read again.
     * Returns 0 or the errno, as {@link #mark}.
     */
    static int markSpawnedChild(long pid, long value, long jvmHardLimit) {
        if (!isMarker(value) || pid <= 0) {
            throw new IllegalArgumentException("not a marker value, or not a child's pid: " + value + ", " + pid);
        }
        if (jvmHardLimit != UNLIMITED && Long.compareUnsigned(jvmHardLimit, value) < 0) {
            return Errno.EINVAL;
        }
        LibC libc = CgroupFiles.libc();
        return libc.prlimit((int) pid, RLIMIT_RTTIME, new long[] {value, jvmHardLimit}, null) == 0 ? 0 : LibC.errno();
    }

    /** The hard RLIMIT_RTTIME of {@code pid} (this JVM's, for {@link #markSpawnedChild}); UNLIMITED when unreadable. */
    static long hardLimitOf(long pid) {
        long[] old = new long[2];
        return CgroupFiles.libc().prlimit((int) pid, RLIMIT_RTTIME, null, old) == 0 ? old[1] : UNLIMITED;
    }

    /**
     * The soft RLIMIT_RTTIME of {@code pid} ({@link #UNLIMITED} by default), or empty when the process is
     * gone. One prlimit(2) call where the JVM may (the same user, or CAP_SYS_RESOURCE), else a read of
     * {@code /proc/PID/limits}, which anyone may read.
     */
    public static OptionalLong read(long pid) {
        if (pid <= 0) {
            return OptionalLong.empty();
        }
        long[] old = new long[2];
        if (CgroupFiles.libc().prlimit((int) pid, RLIMIT_RTTIME, null, old) == 0) {
            return OptionalLong.of(old[0]);
        }
        return LibC.errno() == Errno.ESRCH ? OptionalLong.empty() : readFromProcLimits(pid);
    }

    /** The soft "Max realtime timeout" of {@code /proc/PID/limits}, or empty when the process is gone. */
    static OptionalLong readFromProcLimits(long pid) {
        Optional<byte[]> raw = ProcFs.read("/proc/" + pid + "/limits", 4096);
        if (raw.isEmpty()) {
            return OptionalLong.empty();
        }
        return softRealtimeTimeout(new String(raw.get(), StandardCharsets.US_ASCII));
    }

    /** Parses {@code Max realtime timeout      unlimited            unlimited            us}. */
    static OptionalLong softRealtimeTimeout(String limits) {
        String label = "Max realtime timeout";
        int i = limits.indexOf(label);
        if (i < 0) {
            return OptionalLong.empty();
        }
        int end = limits.indexOf('\n', i);
        String[] f = limits.substring(i + label.length(), end < 0 ? limits.length() : end).trim().split("\\s+");
        if (f.length == 0 || f[0].isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(f[0].equals("unlimited") ? UNLIMITED : Long.parseUnsignedLong(f[0]));
    }
}
