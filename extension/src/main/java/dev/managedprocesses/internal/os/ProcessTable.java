package dev.managedprocesses.internal.os;

import dev.managedprocesses.ProcessInfo;
import java.util.List;
import java.util.Optional;

/**
 * The process table, read-only: this JVM's own ids, one process or all of them, their environment, and
 * the clocks their start times are counted on. Reading never changes anything; a pid read here may be
 * recycled a moment later, so whoever acts on it re-checks the identity (see {@code internal.safety}).
 */
public interface ProcessTable {

    /** This JVM's pid. */
    long selfPid();

    /** This JVM's parent pid, asked of the kernel now (it changes when the parent dies). */
    long selfParentPid();

    /** This JVM's session id, asked of the kernel now. */
    long selfSessionId();

    /** This JVM's process group id, asked of the kernel now. */
    long selfProcessGroupId();

    /** The kernel boot id (constant per boot). */
    String bootId();

    /** One process's state, or empty when the pid does not exist. */
    Optional<ProcStat> stat(long pid);

    /** Every process in the table, zombies included. Cheap: one {@code stat} read per process. */
    List<ProcStat> snapshot();

    /**
     * The processes of the table that may have been born since the process {@code pid} was, when the kernel
     * had made {@code forks} forks before it ({@link #forkCount()}, read before that process was started):
     * only the pids allocated since then are read, not the whole table, where the kernel's counters prove
     * that no pid has been handed out twice since ({@link #snapshot()} otherwise). Processes older than
     * {@code pid} may be among them; none younger is missing (up to the moment of the look).
     */
    default List<ProcStat> snapshotSince(long pid, long forks) {
        return snapshot();
    }

    /** How many processes and threads the kernel has created since boot; -1 when unknown. */
    default long forkCount() {
        return -1;
    }

    /**
     * This JVM's child processes (zombies included), from a look that costs about one read per JVM thread
     * where the kernel lists each thread's children; a whole {@link #snapshot()} filtered otherwise.
     */
    default List<ProcStat> childrenOfSelf() {
        long self = selfPid();
        return snapshot().stream().filter(s -> s.ppid() == self).toList();
    }

    /**
     * The live descendants of {@code pid} (by parent links), from one look at the table; the portable platform
     * asks the JDK ({@code ProcessHandle.descendants()}), which is cheaper than a whole snapshot there.
     */
    default List<ProcStat> descendants(long pid) {
        return ProcessTree.descendants(snapshot(), java.util.Set.of(pid), java.util.Set.of());
    }

    /** A full description (uid and command line included) of one process, or empty when it is gone. */
    Optional<ProcessInfo> describe(ProcStat stat);

    /** The resolved executable of a process, when readable. */
    Optional<String> executable(long pid);

    /** True when the process's environment contains {@code entry} (for example {@code KEY=value}), read whole. */
    boolean environmentContains(long pid, String entry);

    /**
     * True when {@code id} is one of this JVM's threads other than its main one: a signal or a cgroup move
     * sent to a thread id reaches the whole JVM.
     */
    boolean isOwnThread(long id);

    /** True when {@code pid} is a process (thread-group leader), not one of a process's other threads. */
    boolean isProcess(long pid);

    /**
     * The most recently allocated pid (the last field of {@code /proc/loadavg}). Pids allocated between
     * two readings lie between them (modulo {@link #pidMax()}): a cheap way to find new processes.
     * -1 when unknown.
     */
    long lastAllocatedPid();

    /**
     * The inheritable marker of a process ({@link ProcessControl#mark}), or empty when it carries none or
     * cannot be read.
     */
    java.util.OptionalLong marker(long pid);

    /**
     * Whether {@code pid} carries the birth mark of the scope whose marker is {@code marker}: set on a child
     * at its first instruction, inherited by what it forks (Linux: the spawning thread's timer slack). Too
     * coarse to tell scopes apart in general: only meaningful for processes born right after a spawn.
     */
    boolean carriesBirthMark(long pid, long marker);

    /**
     * Null when {@link #carriesBirthMark} can see the birth mark of other processes here, else why not and what
     * to do (Linux: reading another process's timer slack needs CAP_SYS_NICE). Without it, what a child forks
     * before it is placed and marked is found only through its process group and its parent chain.
     */
    String birthMarkProblem();

    /** The largest pid the kernel hands out before wrapping. */
    long pidMax();

    /** Clock ticks since boot now, on the same clock as {@link ProcStat#startTime()}. */
    long uptimeTicks();

    /** Clock ticks per second for start times. */
    long clockTicksPerSecond();

    /** Boot time in epoch milliseconds, to turn start ticks into instants. */
    long bootTimeMillis();
}
