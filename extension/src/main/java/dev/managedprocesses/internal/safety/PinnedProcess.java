package dev.managedprocesses.internal.safety;

import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.SignalResult;
import dev.managedprocesses.internal.reactor.Reactor;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Owns the pid-reuse hazard for every process that is not our unreaped child ({@link ChildGate} owns
 * those): adopted processes, descendants that escaped their group, members of a group being watched,
 * and the processes the leak detector settles or kills. Such a process may be reaped by its own parent
 * at any moment, and its pid handed to a stranger; so nothing is signalled or watched on the strength
 * of a pid alone:
 * <ol>
 *   <li>a protected pid ({@link ProtectedProcesses}) is never pinned, and is checked again before every
 *       signal;</li>
 *   <li>a pidfd is opened <em>first</em>, then the process is read again and its start time compared
 *       with the one it was found with: a mismatch (the pid was recycled) closes the pidfd and pins
 *       nothing;</li>
 *   <li>a pinned process is signalled only through that pidfd, which names that very process for good,
 *       even once its pid is recycled; the pidfd is closed under the same lock the signals take, so no
 *       signal can go through a descriptor number that was closed and reused.</li>
 * </ol>
 * Without pidfds (Linux &lt; 5.3) the identity is re-read right before each signal by pid: a window of
 * microseconds remains (and the pid space must wrap around within it). A pid recycled within the same
 * clock tick as the original has the same identity; such a reuse cannot be told apart.
 */
public final class PinnedProcess {

    /** What {@link #pin} found. */
    public enum Outcome {
        /** That very process, now held by a pidfd. */
        PINNED,
        /** It has exited (a zombie counts) or its pid is free. */
        GONE,
        /** Its pid now names another process (a different start time). */
        RECYCLED,
        /** It is a process this library never signals. */
        PROTECTED
    }

    /**
     * The result of {@link #pin}.
     *
     * @param outcome what was found
     * @param process the pinned process, for {@link Outcome#PINNED}; else null
     * @param stat the process as read right after its pidfd was opened, for {@link Outcome#PINNED}; else null
     * @param protectedReason why it is protected, for {@link Outcome#PROTECTED}; else null
     */
    public record Pin(Outcome outcome, PinnedProcess process, ProcStat stat, String protectedReason) {
        public boolean pinned() {
            return outcome == Outcome.PINNED;
        }
    }

    private final Os os;
    private final long pid;
    private final long startTime;
    private final int pidfd;
    private final CompletableFuture<Void> exited = new CompletableFuture<>();
    private boolean closed;                     // guarded by this
    private boolean watching;                   // guarded by this
    private Reactor.Registration registration;  // guarded by this
    private long pollDelayMillis = 1;           // reactor thread

    private PinnedProcess(Os os, long pid, long startTime, int pidfd) {
        this.os = os;
        this.pid = pid;
        this.startTime = startTime;
        this.pidfd = pidfd;
    }

    /**
     * Pins the process that holds {@code pid}, if it is still the one that was found.
     *
     * @param expectedStartTime the start time it was found with, or -1 to take whatever live process
     *     holds the pid now
     */
    public static Pin pin(Os os, long pid, long expectedStartTime) {
        String why = ProtectedProcesses.reason(os.table(), pid);
        if (why != null) {
            return new Pin(Outcome.PROTECTED, null, null, why);
        }
        int fd = os.control().openPidfd(pid); // first the pidfd, then the identity: the pidfd is then that process's
        Optional<ProcStat> now = os.table().stat(pid);
        if (now.isPresent() && expectedStartTime >= 0 && now.get().startTime() != expectedStartTime) {
            os.descriptors().close(fd);
            return new Pin(Outcome.RECYCLED, null, null, null);
        }
        if (now.isEmpty() || now.get().isGone() || (fd < 0 && os.control().pidfdSupported())) {
            os.descriptors().close(fd);
            return new Pin(Outcome.GONE, null, null, null);
        }
        return new Pin(Outcome.PINNED, new PinnedProcess(os, pid, now.get().startTime(), fd), now.get(), null);
    }

    public long pid() {
        return pid;
    }

    public long startTime() {
        return startTime;
    }

    /** pid + start time + boot id. */
    public ProcessIdentity identity() {
        return new ProcessIdentity(pid, startTime, os.table().bootId());
    }

    /** Whether signals go through a pidfd (or, without pidfds, by pid after an identity check). */
    public boolean hasPidfd() {
        return pidfd >= 0;
    }

    /**
     * Sends {@code signal} to this very process, or to nobody.
     *
     * @throws IllegalArgumentException if the pid has become protected (the JVM was re-parented to it)
     */
    public synchronized SignalResult signal(Signal signal) {
        if (closed) {
            return SignalResult.NO_SUCH_PROCESS;
        }
        ProtectedProcesses.checkProcess(os.table(), pid, "signal");
        if (pidfd >= 0) {
            return os.control().signalPidfd(pidfd, signal);
        }
        return isCurrent() ? os.control().signalPid(pid, signal) : SignalResult.NO_SUCH_PROCESS;
    }

    /** True while this very process runs (a zombie has ended; a stopped process runs). */
    public boolean isAlive() {
        synchronized (this) {
            if (exited.isDone()) {
                return false;
            }
            if (pidfd >= 0 && !closed && os.control().pidfdExited(pidfd)) {
                return false;
            }
        }
        return isCurrent();
    }

    /** That very process (same start time) holds the pid and has not exited. */
    private boolean isCurrent() {
        return os.table().stat(pid).map(s -> !s.isGone() && s.startTime() == startTime).orElse(false);
    }

    /**
     * Completes, on the reactor thread, when the process has exited: woken by its pidfd, or (without
     * pidfds) by re-reading its identity, 1 ms and then doubling up to 50 ms. The pidfd is closed then:
     * nothing is left to signal.
     */
    public CompletableFuture<Void> exited() {
        synchronized (this) {
            if (watching || closed) {
                return exited;
            }
            watching = true;
            if (pidfd >= 0) {
                registration = Reactor.get().register(pidfd, r -> {
                    r.suspend();
                    onExit();
                });
                return exited;
            }
        }
        Reactor.get().schedule(1, this::poll);
        return exited;
    }

    private void poll() {
        if (exited.isDone()) {
            return;
        }
        if (!isCurrent()) {
            onExit();
        } else {
            pollDelayMillis = Math.min(50, pollDelayMillis * 2);
            Reactor.get().schedule(pollDelayMillis, this::poll);
        }
    }

    private void onExit() {
        close();
        exited.complete(null);
    }

    /** Releases the pidfd (idempotent); afterwards every signal is a no-op. */
    public void close() {
        Reactor.Registration r;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            r = registration;
        }
        if (r != null) {
            r.cancelAndClose(); // closed on the reactor thread, which owns registered descriptors
        } else {
            os.descriptors().close(pidfd);
        }
    }

    @Override
    public String toString() {
        return "pid " + pid + " (started at tick " + startTime + ")";
    }
}
