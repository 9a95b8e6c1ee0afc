package dev.managedprocesses.internal.os.linux;

/**
 * A spawned child's start time (field 22 of {@code /proc/PID/stat}, clock ticks since boot), told by the clock
 * instead of {@code /proc}. The kernel stamps a process with {@code CLOCK_BOOTTIME} when it forks it
 * ({@code task->start_boottime}), and {@code /proc} shows that stamp divided down to clock ticks (100 a second,
 * rounded down). Read just before {@code posix_spawn} and just after it returns, the same clock brackets the
 * fork: where both readings, widened by a margin, fall in one tick, that tick is the child's start time. Where
 * they do not (a spawn takes a few hundred microseconds, a tick is 10 ms: a few spawns in a hundred), it is
 * unknown and {@code /proc} is read, as before.
 *
 * <p>Why not always read {@code /proc/PID/stat}: besides its open, read and close, the read leaves the
 * kernel's directory cache with entries for that pid, and the reap of the child has to take them out again
 * ({@code proc_invalidate_siblings_dcache}), which made a teardown's reaps of 100 leaders cost about twice the
 * kernel time of reaps nobody looked at (BENCHMARKS.md, seventh round). Both clocks are read in the reader's
 * time namespace, as {@code /proc} shows start times, so the two agree there too.
 */
final class BirthTick {
    /** CLOCK_BOOTTIME: the clock of {@code task->start_boottime}. */
    static final int CLOCK_BOOTTIME = 7;
    /**
     * Widens each reading: the kernel's and the vDSO's view of the clock may differ by a clock-source read, far
     * below this; a reading this close to a tick's edge leaves the start time unknown.
     */
    static final long MARGIN_NANOS = 50_000;

    private BirthTick() {
    }

    /**
     * The tick a process forked between {@code beforeNanos} and {@code afterNanos} (CLOCK_BOOTTIME) started in,
     * or -1 when the two readings (widened by {@link #MARGIN_NANOS}) do not share one tick, a reading failed
     * (negative), or a tick is not a whole number of nanoseconds (the kernel then rounds another way).
     */
    static long between(long beforeNanos, long afterNanos, long ticksPerSecond) {
        if (beforeNanos < MARGIN_NANOS || afterNanos < beforeNanos || ticksPerSecond <= 0
                || 1_000_000_000L % ticksPerSecond != 0) {
            return -1;
        }
        long nanosPerTick = 1_000_000_000L / ticksPerSecond;
        long first = (beforeNanos - MARGIN_NANOS) / nanosPerTick;
        long last = (afterNanos + MARGIN_NANOS) / nanosPerTick;
        return first == last ? first : -1;
    }
}
