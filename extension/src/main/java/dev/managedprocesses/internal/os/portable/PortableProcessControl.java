package dev.managedprocesses.internal.os.portable;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.ProcessControl;
import dev.managedprocesses.internal.os.SignalResult;
import java.util.Optional;

/**
 * Signals as far as the JDK has them: SIGTERM is {@link ProcessHandle#destroy()} where the platform has
 * normal termination ({@link ProcessHandle#supportsNormalTermination()}: not on Windows), SIGKILL is
 * {@link ProcessHandle#destroyForcibly()}; every other signal, process groups and pidfds are refused with an
 * {@link UnsupportedOperationException} that says what to do instead. The JDK re-checks a handle's start
 * time right before it signals, so a {@link ProcessHandle} obtained earlier never reaches a process that got
 * its pid later. Nothing here waits for or reaps a process: the JDK reaps the children it started.
 */
public final class PortableProcessControl implements ProcessControl {
    /** {@code ENOSYS}: the answer of {@link #moveToOwnGroup} here, which has no process groups. */
    public static final int NO_PROCESS_GROUPS = 38;
    /** What {@link #mark} returns: ENOSYS, no such facility. */
    public static final int NO_MARKER = 38;

    @Override
    public boolean canSend(Signal signal) {
        return signal == Signal.KILL || (signal == Signal.TERM && normalTermination());
    }

    /** Whether SIGTERM exists here (the JDK's normal termination; Windows has none). */
    public static boolean normalTermination() {
        return ProcessHandle.current().supportsNormalTermination();
    }

    /**
     * Sends {@code signal} to that very process (the handle carries its start time), or to nobody.
     *
     * @throws UnsupportedOperationException for a signal the JDK cannot send (see {@link #canSend})
     */
    public static SignalResult send(ProcessHandle process, Signal signal) {
        boolean requested;
        if (signal == Signal.KILL) {
            requested = process.destroyForcibly();
        } else if (signal == Signal.TERM && process.supportsNormalTermination()) {
            requested = process.destroy();
        } else {
            throw unsupported(signal);
        }
        if (requested) {
            return SignalResult.DELIVERED;
        }
        return process.isAlive() ? SignalResult.NOT_PERMITTED : SignalResult.NO_SUCH_PROCESS;
    }

    /** The refusal of a signal the JDK cannot send, naming the platform and what to use instead. */
    public static UnsupportedOperationException unsupported(Signal signal) {
        if (signal == Signal.TERM) {
            return new UnsupportedOperationException("SIGTERM does not exist on " + PortableOs.where() + ": the "
                    + "JDK can only end a process there at once (destroyForcibly). Use kill(); terminate() and a scope's "
                    + "teardown skip SIGTERM there and end what is left after the grace period");
        }
        return new UnsupportedOperationException("SIG" + signal.name() + " cannot be sent on " + PortableOs.where()
                + ": the JDK can only ask a process to terminate (SIGTERM, ProcessHandle.destroy()) or kill it "
                + "(SIGKILL, destroyForcibly()). Use terminate() or kill(); other signals, suspend()/resume() and "
                + "process groups need the native Linux platform");
    }

    @Override
    public boolean pidfdSupported() {
        return false;
    }

    @Override
    public int openPidfd(long pid) {
        return -1;
    }

    @Override
    public boolean pidfdExited(int pidfd) {
        throw noPidfds();
    }

    @Override
    public SignalResult signalPidfd(int pidfd, Signal signal) {
        throw noPidfds();
    }

    @Override
    public SignalResult signalPid(long pid, Signal signal) {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing to signal pid " + pid + ": not a single process");
        }
        if (!canSend(signal)) {
            throw unsupported(signal);
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        return process.isEmpty() ? SignalResult.NO_SUCH_PROCESS : send(process.get(), signal);
    }

    @Override
    public SignalResult signalGroup(long pgid, Signal signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing to signal process group " + pgid);
        }
        throw new UnsupportedOperationException("process groups cannot be signalled on " + PortableOs.where()
                + ": the JDK has no process groups. Signal the process itself; terminate() and kill() also end its "
                + "descendants");
    }

    /** Nothing to peek at: only the JDK, which started the child, waits for it. */
    @Override
    public Optional<ExitStatus> peekExit(int pidfd) {
        return Optional.empty();
    }

    @Override
    public Optional<ExitStatus> peekExitByPid(long pid) {
        return Optional.empty();
    }

    /** Never: the JDK reaps the children it started, and there is no subreaper whose orphans we would reap. */
    @Override
    public Optional<ExitStatus> reap(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing to reap pid " + pid + ": only named children are reaped");
        }
        return Optional.empty();
    }

    @Override
    public int moveToOwnGroup(long pid) {
        return NO_PROCESS_GROUPS;
    }

    /** No inheritable marker here: the JDK can set no limit or attribute on another process. */
    @Override
    public int mark(long pid, long marker) {
        return NO_MARKER;
    }

    /** 0, which is no marker: scopes on this platform hold their processes by the JDK's handles alone. */
    @Override
    public long newMarker() {
        return 0;
    }

    /** No subreaper: orphans re-parent to init (or the system's own subreaper), out of the JVM's sight. */
    @Override
    public boolean makeChildSubreaper() {
        return false;
    }

    private static UnsupportedOperationException noPidfds() {
        return new UnsupportedOperationException("pidfds do not exist on " + PortableOs.where());
    }
}
