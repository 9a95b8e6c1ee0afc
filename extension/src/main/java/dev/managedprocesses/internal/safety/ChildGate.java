package dev.managedprocesses.internal.safety;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcessControl;
import dev.managedprocesses.internal.os.ProcessTable;
import dev.managedprocesses.internal.os.SignalResult;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Owns the pid-reuse hazard for the children this JVM spawned (scope processes and the janitor).
 * Everything that could reach a stranger through such a child's pid goes through here:
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
 *   <li><b>Nobody else reaps it.</b> Every unreaped gate is listed ({@link #isUnreapedChild}), so the
 *       orphan reaper, which reaps zombies re-parented to the JVM, leaves it alone: a reap elsewhere
 *       would free the pid while this gate still signals it.</li>
 * </ul>
 */
public final class ChildGate {
    private static final Set<Long> UNREAPED = ConcurrentHashMap.newKeySet();

    private final ProcessControl control;
    private final ProcessTable table;
    private final long pid;
    private final int pidfd;
    private boolean reaped;
    private ExitStatus reapedWith; // the status reapNow() took, for exitStatus()
    /**
     * Why the child's group must never be signalled, or (always, for a real child) null. A pid the spawn has
     * just handed us was free a moment before, so it is none of those {@link ProtectedProcesses} lists: the
     * JVM, its threads and its ancestors are alive (their ids are taken), and the kernel does not hand out an
     * id still in use as a session or group id; while our child is unreaped that stays so, and the JVM never
     * moves itself into its child's group. So only an id that cannot be a child's (pid 0-2, the JVM's own: a
     * spawn that returned nonsense) is looked up, and a spawn does not pay the look's system calls. Teardown
     * signals every group twice, so nothing is checked per signal.
     */
    private final String protectedReason;

    /** Guards a child just spawned: {@code pidfd} was opened before anything could reap it (-1 without pidfds). */
    public ChildGate(Os os, long pid, int pidfd) {
        this.control = os.control();
        this.table = os.table();
        this.pid = pid;
        this.pidfd = pidfd;
        this.protectedReason = pid <= 2 || pid == table.selfPid() ? ProtectedProcesses.groupReason(table, pid) : null;
        UNREAPED.add(pid);
    }

    /** True for a child some gate holds unreaped (it may be held as a zombie on purpose): nobody else may reap it. */
    public static boolean isUnreapedChild(long pid) {
        return UNREAPED.contains(pid);
    }

    public long pid() {
        return pid;
    }

    public int pidfd() {
        return pidfd;
    }

    public synchronized boolean isReaped() {
        return reaped;
    }

    /**
     * Signals the child itself, through its pidfd when there is one. An exited child (a zombie held
     * for its group) is not signalled: the kernel would accept the signal and nothing would happen.
     */
    public synchronized SignalResult signal(Signal signal) {
        if (reaped || peekExit().isPresent()) {
            return SignalResult.NO_SUCH_PROCESS;
        }
        checkNotProtected("pid ");
        return pidfd >= 0 ? control.signalPidfd(pidfd, signal) : control.signalPid(pid, signal);
    }

    /**
     * Teardown: the signal to the whole group and to the leader itself (through its pidfd: it may have
     * moved itself into another group), under one lock, without first asking whether it has exited.
     */
    public synchronized void signalGroupAndLeader(Signal signal) {
        if (reaped) {
            return;
        }
        checkNotProtected("process group ");
        control.signalGroup(pid, signal);
        if (pidfd >= 0) {
            control.signalPidfd(pidfd, signal); // a zombie accepts it and nothing happens
        } else {
            control.signalPid(pid, signal);     // unreaped: the pid is still our child's
        }
    }

    private void checkNotProtected(String what) {
        if (protectedReason != null) {
            throw new IllegalArgumentException("Refusing to signal " + what + pid + ": it is " + protectedReason
                    + ". managed-processes only signals processes it started or adopted");
        }
    }

    /** Signals every member of the child's group; safe only because the leader is not yet reaped. */
    public synchronized SignalResult signalGroup(Signal signal) {
        if (reaped) {
            return SignalResult.NO_SUCH_PROCESS;
        }
        checkNotProtected("process group ");
        return control.signalGroup(pid, signal);
    }

    /** The exit status without reaping, or empty while the child runs (and once it is reaped). */
    public synchronized Optional<ExitStatus> peekExit() {
        if (reaped) {
            return Optional.empty();
        }
        return pidfd >= 0 ? control.peekExit(pidfd) : control.peekExitByPid(pid);
    }

    /**
     * The exit status: {@link #peekExit} while unreaped, once reaped the status {@link #reapNow} reaped it with
     * (empty after {@link #reap}, which keeps none).
     */
    public synchronized Optional<ExitStatus> exitStatus() {
        return reaped ? Optional.ofNullable(reapedWith) : peekExit();
    }

    /** Runs {@code action} while the pid is guaranteed to still name our child (or its zombie). */
    public synchronized <T> Optional<T> whileUnreaped(Supplier<Optional<T>> action) {
        return reaped ? Optional.empty() : action.get();
    }

    /**
     * Reaps the exited child, once: after the reap the pid is free, and a second {@code waitpid} could
     * reach a stranger. The caller closes the pidfd afterwards (its registration does), which is safe
     * because every use of it checks {@code reaped} first, under this lock.
     *
     * @return its status when this call reaped it; empty when it runs, or was reaped already
     */
    public synchronized Optional<ExitStatus> reapNow() {
        if (reaped) {
            return Optional.empty();
        }
        Optional<ExitStatus> status = control.reap(pid);
        if (status.isPresent()) {
            reapedWith = status.get();
            markReaped();
        }
        return status;
    }

    /**
     * Reaps the exited child; true once it is reaped (by this call or an earlier one). Defensively, a
     * pid that is gone without our reap (someone else broke the rules and reaped it) counts as reaped
     * too: either way it is gone.
     */
    public synchronized boolean reap() {
        if (reaped) {
            return true;
        }
        if (control.reap(pid).isPresent() || (peekExit().isEmpty() && table.stat(pid).isEmpty())) {
            markReaped();
        }
        return reaped;
    }

    private void markReaped() {
        reaped = true;
        UNREAPED.remove(pid);
    }
}
