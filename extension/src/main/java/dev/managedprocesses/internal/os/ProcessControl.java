package dev.managedprocesses.internal.os;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.Signal;
import java.util.Optional;

/**
 * Signals, exits and reaping: the calls that act on processes. Nothing here checks whom it acts on:
 * the callers in {@code internal.safety} do ({@code ChildGate} for our unreaped children,
 * {@code PinnedProcess} for every other process, {@code ProtectedProcesses} for both).
 *
 * <p>Only ever wait for pids the caller names ({@link #reap(long)}, {@link #peekExit}); never a
 * wildcard wait ({@code waitpid(-1)}, {@code P_ALL}), which would steal exit statuses from the JDK's own
 * {@code Process} objects.
 */
public interface ProcessControl {

    /**
     * Whether this platform can send {@code signal} at all. Linux sends every signal; the portable platform
     * only TERM (where the JDK has normal termination) and KILL, and refuses the others with an
     * {@link UnsupportedOperationException}. Teardown asks first, so its SIGCONT is skipped, not refused, there.
     */
    default boolean canSend(Signal signal) {
        return true;
    }

    /** Whether this kernel supports pidfds. */
    boolean pidfdSupported();

    /**
     * Opens a pidfd (close-on-exec) for {@code pid}.
     *
     * @return the descriptor, or -1 when the process does not exist (or pidfds are unsupported)
     */
    int openPidfd(long pid);

    /** True when the process behind {@code pidfd} has exited (works for any process, not just children). */
    boolean pidfdExited(int pidfd);

    /** Sends {@code signal} through a pidfd. */
    SignalResult signalPidfd(int pidfd, Signal signal);

    /** Sends {@code signal} to a pid ({@code kill(pid, sig)}). The caller has checked the pid. */
    SignalResult signalPid(long pid, Signal signal);

    /** Sends {@code signal} to a process group ({@code kill(-pgid, sig)}). The caller has checked the group. */
    SignalResult signalGroup(long pgid, Signal signal);

    /** The exit status of an exited child, read without reaping it (pidfd, {@code WNOWAIT}); empty while it runs. */
    Optional<ExitStatus> peekExit(int pidfd);

    /** The exit status of an exited child, read by pid without reaping it; empty while it runs. */
    Optional<ExitStatus> peekExitByPid(long pid);

    /**
     * Whether this JVM may have a child that has exited and is not reaped yet, asked without reaping it (and so
     * without taking an exit status from whoever waits for it); false only where the kernel says there is none.
     */
    default boolean mayHaveZombieChild() {
        return true;
    }

    /** Reaps one exited child ({@code waitpid(pid, WNOHANG)}); empty when it has not exited or is not our child. */
    Optional<ExitStatus> reap(long pid);

    /** Moves {@code pid} into a new process group of its own: 0 on success, else the errno. */
    int moveToOwnGroup(long pid);

    /**
     * Sets an inheritable marker on a process (same user): every process it forks from now on, whatever it
     * does to its group, session, environment or title, carries the same value ({@link ProcessTable#marker}).
     * Linux: the soft {@code RLIMIT_RTTIME} limit, set to a value no real budget comes near.
     *
     * @return 0, or the errno
     */
    int mark(long pid, long marker);

    /** A marker value for a new scope: never that of another scope of this JVM, nor of another JVM's. */
    long newMarker();

    /** Makes the JVM a child subreaper: orphaned descendants re-parent to it, not to init. */
    boolean makeChildSubreaper();
}
