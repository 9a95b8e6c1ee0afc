package dev.managedprocesses;

import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.internal.os.OsProcesses.SignalResult;
import java.util.Optional;

/**
 * Owns the pid-reuse hazard for one child this JVM spawned. Everything that could reach a stranger
 * goes through here:
 *
 * <ul>
 *   <li><b>A pid is only recycled after its parent reaps it.</b> We are the parent, so while this gate
 *       has not reaped, the pid names our child and nobody else. Signals check {@code reaped} and send
 *       under the same lock as the reap, so a signal can never race the reap that frees the pid.</li>
 *   <li><b>The process group id lives as long as its leader's pid.</b> The child leads its own group,
 *       so while the leader is unreaped (alive or a zombie) {@code kill(-pgid)} reaches only members of
 *       our group. That is why an exited leader is <em>held unreaped until its group is empty</em>
 *       and its status is read with {@code WNOWAIT}.</li>
 *   <li><b>The pidfd is the identity.</b> Opened right after spawn (the child is unreaped, so it is
 *       ours), it is closed only after the reap, under the lock: a closed pidfd's number can be reused
 *       by another descriptor, so nothing may signal through it afterwards.</li>
 *   <li><b>Only our own pid is waited for</b> ({@code waitpid(pid)}, never {@code -1}): the JDK's
 *       {@code Process} objects keep their exit statuses.</li>
 * </ul>
 */
final class ChildGate {
    private final OsProcesses os;
    private final long pid;
    private final int pidfd;
    private boolean reaped;
    /**
     * Checked once, at spawn: while our child is unreaped its pid (and group id) cannot become the
     * JVM's own, its parent's (a live process), or its session or group id (the kernel does not hand
     * out a pid still in use as a session or group id, and the JVM never moves itself into its
     * child's group). Teardown signals every group twice; re-checking with three system calls per
     * signal was a measurable part of it.
     */
    private final String protectedReason;

    ChildGate(OsProcesses os, long pid, int pidfd) {
        this.os = os;
        this.pid = pid;
        this.pidfd = pidfd;
        String why = ProtectedProcesses.reason(os, pid);
        this.protectedReason = why == null && pid == os.selfProcessGroupId() ? "the JVM's own process group" : why;
    }

    int pidfd() {
        return pidfd;
    }

    synchronized boolean isReaped() {
        return reaped;
    }

    /**
     * Signals the child itself, through its pidfd when there is one. An exited child (a zombie held
     * for its group) is not signalled: the kernel would accept the signal and nothing would happen.
     */
    synchronized SignalResult signal(int signal) {
        if (reaped || peekExit().isPresent()) {
            return SignalResult.NO_SUCH_PROCESS;
        }
        checkNotProtected("pid ");
        return pidfd >= 0 ? os.signalPidfd(pidfd, signal) : os.signalPid(pid, signal);
    }

    /**
     * Teardown: the signal to the whole group and to the leader itself (through its pidfd: it may have
     * moved itself into another group), under one lock, without first asking whether it has exited.
     */
    synchronized void signalGroupAndLeader(int signal) {
        if (reaped) {
            return;
        }
        checkNotProtected("process group ");
        os.signalGroup(pid, signal);
        if (pidfd >= 0) {
            os.signalPidfd(pidfd, signal); // a zombie accepts it and nothing happens
        } else {
            os.signalPid(pid, signal);     // unreaped: the pid is still our child's
        }
    }

    private void checkNotProtected(String what) {
        if (protectedReason != null) {
            throw new IllegalArgumentException("Refusing to signal " + what + pid + ": it is " + protectedReason
                    + ". managed-processes only signals processes it started or adopted");
        }
    }

    /** Signals every member of the child's group; safe only because the leader is not yet reaped. */
    synchronized SignalResult signalGroup(int signal) {
        if (reaped) {
            return SignalResult.NO_SUCH_PROCESS;
        }
        checkNotProtected("process group ");
        return os.signalGroup(pid, signal);
    }

    /** The exit status without reaping, or empty while the child runs. */
    synchronized Optional<ExitStatus> peekExit() {
        if (reaped) {
            return Optional.empty();
        }
        return pidfd >= 0 ? os.peekExit(pidfd) : os.peekExitByPid(pid);
    }

    /** Runs {@code action} while the pid is guaranteed to still name our child (or its zombie). */
    synchronized <T> Optional<T> whileUnreaped(java.util.function.Supplier<Optional<T>> action) {
        return reaped ? Optional.empty() : action.get();
    }

    /**
     * Reaps the exited child. The caller closes the pidfd afterwards (its registration does), which
     * is safe because every use of it checks {@code reaped} first, under this lock.
     */
    synchronized boolean reap() {
        if (reaped) {
            return true;
        }
        if (os.reap(pid).isPresent() || (peekExit().isEmpty() && os.stat(pid).isEmpty())) {
            // reaped by us, or (defensively) by someone else who broke the rules: either way it is gone
            reaped = true;
        }
        return reaped;
    }
}
