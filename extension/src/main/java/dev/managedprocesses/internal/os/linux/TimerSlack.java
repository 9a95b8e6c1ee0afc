package dev.managedprocesses.internal.os.linux;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The birth mark: a value a child carries from its very first instruction, before the library can do
 * anything to it. A child created by posix_spawn is a copy of the calling <em>thread</em>, and inherits
 * that thread's timer slack ({@code prctl(PR_SET_TIMERSLACK)}: how late the kernel may fire its timers,
 * 50 µs by default), which exec keeps. So the spawning thread sets its own slack to the scope's value right
 * before posix_spawn and back right after: only that child gets it (other threads, and the JDK's own
 * spawns from them, keep theirs), and so does everything it forks before the library has placed it in its
 * cgroup and marked it. The values lie between 50 and 100 µs: a timer may fire at most 50 µs later than by
 * default, which no test can tell.
 *
 * <p>Used only to find what a child forked in the moment after its spawn (pids allocated right after its
 * own), never as the scope's identity: 50,000 values are too few to be unique among all the scopes of a
 * machine. Readable in {@code /proc/PID/timerslack_ns}, but for any process other than the reader only
 * with {@code CAP_SYS_NICE} (in the user namespace of the process read), whoever owns it: root has it; an
 * ordinary user, even reading its own child, does not, nor does root in a container started without it
 * (Docker's default capability set). {@link #othersUnreadable()} says which.
 */
final class TimerSlack {
    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    private static final long DEFAULT = 50_000;
    /** {@code CAP_SYS_NICE} in {@code linux/capability.h}: the bit the kernel checks before showing another process's slack. */
    private static final int CAP_SYS_NICE = 23;

    private TimerSlack() {
    }

    /** The birth mark of the scope whose marker is {@code marker}: never the default of 50,000 ns. */
    static long forMarker(long marker) {
        return DEFAULT + 1 + Math.floorMod(marker * 0x9E3779B97F4A7C15L, DEFAULT - 1);
    }

    /** Sets the calling thread's timer slack; returns the previous value (to restore), or -1 when it failed. */
    static long setOwn(LibC libc, long nanos) {
        int previous = libc.prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        if (previous < 0 || libc.prctl(PR_SET_TIMERSLACK, nanos, 0, 0, 0) != 0) {
            return -1;
        }
        return previous;
    }

    /** Restores the calling thread's timer slack. */
    static void restoreOwn(LibC libc, long nanos) {
        libc.prctl(PR_SET_TIMERSLACK, nanos, 0, 0, 0);
    }

    /**
     * Null when the calling thread may read the timer slack of other processes, else why not, as a clause
     * that says what to do. The kernel ({@code timerslack_ns_show} in {@code fs/proc/base.c}) shows another
     * process's value only to a reader with {@code CAP_SYS_NICE} in that process's user namespace; for the
     * children this library starts, which share the JVM's, that is the {@code CapEff} bit of the reading
     * thread.
     */
    static String othersUnreadable() {
        Optional<String> status = ProcFs.text("/proc/thread-self/status");
        if (status.isEmpty()) {
            return "the birth mark (timer slack) of other processes cannot be checked: /proc/thread-self/status is"
                    + " unreadable";
        }
        for (String line : status.get().split("\n")) {
            if (line.startsWith("CapEff:")) {
                try {
                    long effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    return (effective & (1L << CAP_SYS_NICE)) != 0 ? null
                            : "the birth mark that finds such forks (their timer slack, /proc/PID/timerslack_ns) is"
                            + " readable in another process only with CAP_SYS_NICE, which this JVM lacks; give the JVM"
                            + " CAP_SYS_NICE (for example setpriv --inh-caps +sys_nice --ambient-caps +sys_nice)";
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        return "the birth mark (timer slack) of other processes cannot be checked: no CapEff line in"
                + " /proc/thread-self/status";
    }

    /** The timer slack of {@code pid}, or empty when it is gone or unreadable. */
    static Optional<Long> of(long pid) {
        return ProcFs.read("/proc/" + pid + "/timerslack_ns", 64).flatMap(b -> {
            try {
                return Optional.of(Long.parseLong(new String(b, StandardCharsets.US_ASCII).trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}
