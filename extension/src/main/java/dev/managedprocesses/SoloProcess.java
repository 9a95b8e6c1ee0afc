package dev.managedprocesses;

import dev.managedprocesses.internal.Janitor;
import dev.managedprocesses.internal.Reactor;
import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.internal.os.OsProcesses.SignalResult;
import dev.managedprocesses.internal.os.ProcStat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process tracked on its own rather than through a process group this library leads: one adopted
 * from elsewhere (it has already exec'd, so it cannot be moved into a group of ours), or a
 * descendant that escaped its group ({@code setsid}, double fork) and was found by the scope's
 * marker variable.
 *
 * <p>It is not (necessarily) our child, so the unreaped-child guarantee of {@link ChildGate} does not
 * hold. Instead every signal goes through a pidfd opened after the identity was verified (the
 * kernel ties a pidfd to one process for good), and the pidfd is closed only under the same lock the
 * signals take. Its exit status is known only when it is a JDK {@code Process} we were given, or an
 * escaped orphan re-parented to this JVM, which we reap; otherwise it is unknown. Adopted processes
 * are never reaped here: they may be the JDK's children, and reaping those would steal their status.
 * Its end is always known (the pidfd, or polling the identity): {@link #isAlive()} turns false and
 * {@link #endedBy()} is set; {@code waitFor} returns at that moment, by throwing
 * {@link IllegalStateException} when the status is unknown, and {@link #onExit()} completes
 * exceptionally with it.
 */
final class SoloProcess implements ManagedProcess, Terminator.Target {

    enum Origin { ADOPTED, ESCAPED }

    private final Reactor reactor;
    private final OsProcesses os;
    private final ProcessIdentity identity;
    private final int pidfd;
    private final List<String> command;
    private final Duration grace;
    private final Origin origin;
    private final Process jdkProcess;
    private final boolean ownGroup;
    private final String groupNote;
    private final ProcessOutput stdout;
    private final ProcessOutput stderr;
    private final Object lock = new Object();
    private boolean pidfdClosed;
    private final CompletableFuture<Void> exited = new CompletableFuture<>();
    private final CompletableFuture<ExitStatus> status = new CompletableFuture<>();
    private final CompletableFuture<Void> gone = new CompletableFuture<>();
    private final Map<Long, Member> members = new ConcurrentHashMap<>();
    private final Map<Long, Long> everMembers = new ConcurrentHashMap<>(); // pid -> start time
    private volatile EndedBy lastCause;
    private volatile EndedBy endedBy;
    private volatile Duration terminationTime;
    private volatile long terminationStart;
    private Reactor.Registration registration; // reactor thread
    private boolean watching;                  // reactor thread
    private long pollDelay = 1;                // reactor thread

    SoloProcess(Reactor reactor, ProcessIdentity identity, int pidfd, List<String> command, Duration grace,
            Origin origin, Process jdkProcess, boolean ownGroup, String groupNote) {
        this.reactor = reactor;
        this.os = reactor.os();
        this.identity = identity;
        this.pidfd = pidfd;
        this.command = List.copyOf(command);
        this.grace = grace;
        this.origin = origin;
        this.jdkProcess = jdkProcess;
        this.ownGroup = ownGroup;
        this.groupNote = groupNote;
        String label = "pid " + identity.pid() + " (" + String.join(" ", command) + ")";
        this.stdout = new ProcessOutput("stdout of " + label, StandardCharsets.UTF_8, 1, false);
        this.stderr = new ProcessOutput("stderr of " + label, StandardCharsets.UTF_8, 1, false);
        stdout.attach(this);
        stderr.attach(this);
        if (jdkProcess != null) {
            jdkProcess.onExit().thenAccept(p -> status.complete(fromJdkExitValue(p.exitValue())));
        }
    }

    /** The JDK reports death by signal n as 128 + n. */
    private static ExitStatus fromJdkExitValue(int value) {
        return value > 128 && value <= 128 + 64 ? ExitStatus.killedBySignalNumber(value - 128, false)
                : ExitStatus.exited(value & 0xff);
    }

    /** Starts watching for the exit. */
    void start() {
        // Moved into a group of its own (adopted before it exec'd): its group is ours, like a spawned one.
        if (ownGroup) {
            Janitor.registerAdoptedGroup(identity.pid(), identity.startTime()); // no cookie: written at once
        } else {
            Janitor.registerProcess(identity.pid(), identity.startTime());
        }
        if (pidfd >= 0) {
            registration = reactor.register(pidfd, r -> {
                r.suspend();
                onProcessExit();
            });
        } else {
            reactor.schedule(1, this::pollExit);
        }
    }

    Origin origin() {
        return origin;
    }

    private void pollExit() {
        if (!identity.isCurrent()) {
            onProcessExit();
        } else {
            pollDelay = Math.min(50, pollDelay * 2);
            reactor.schedule(pollDelay, this::pollExit);
        }
    }

    /** Reactor thread: the process itself is gone. */
    private void onProcessExit() {
        if (exited.isDone()) {
            return;
        }
        EndedBy cause = lastCause;
        endedBy = cause == null ? EndedBy.ITSELF : cause;
        if (origin == Origin.ESCAPED) {
            // An escaped descendant re-parented to this JVM (the subreaper) is ours to reap: it carries our
            // scope's marker, so it is no JDK child, and our pidfd keeps its pid from being recycled.
            Optional<ProcStat> s = os.stat(identity.pid());
            if (s.isPresent() && s.get().isZombie() && s.get().ppid() == os.selfPid()
                    && s.get().startTime() == identity.startTime()) {
                os.reap(identity.pid()).ifPresent(status::complete);
            }
        }
        exited.complete(null);
        checkGone();
    }

    /**
     * An escaped descendant that died while its original parent lived was that parent's zombie; when
     * the parent died too (later in teardown) it re-parented to this JVM. Reap it now: it is ours
     * (it carries our marker) and a zombie keeps its pid, so the start time still identifies it.
     */
    void reapIfOurZombie() {
        if (origin != Origin.ESCAPED || status.isDone()) {
            return;
        }
        Optional<ProcStat> s = os.stat(identity.pid());
        if (s.isPresent() && s.get().isZombie() && s.get().ppid() == os.selfPid()
                && s.get().startTime() == identity.startTime()) {
            os.reap(identity.pid()).ifPresent(status::complete);
        }
    }

    /**
     * A descendant that died after its parent is the JVM's zombie (the JVM is a subreaper): reap it, it
     * cannot be the JDK's child, which is never anyone's descendant. A zombie keeps its pid, so pid + start
     * time still identify it.
     */
    /**
     * After teardown (every process of the scope gone, so every re-parenting done): reaps the descendants
     * that died under a living parent and were its zombies until it died too.
     */
    void reapOrphanedMembers() {
        everMembers.forEach(this::reapIfOrphanedToUs);
    }

    private void reapIfOrphanedToUs(long pid, long start) {
        Optional<ProcStat> s = os.stat(pid);
        if (s.isPresent() && s.get().isZombie() && s.get().ppid() == os.selfPid() && s.get().startTime() == start) {
            os.reap(pid);
        }
    }

    private void checkGone() {
        if (exited.isDone() && members.isEmpty() && !gone.isDone()) {
            synchronized (lock) {
                pidfdClosed = true;
                if (registration != null) {
                    registration.cancelAndClose();
                }
            }
            if (ownGroup) {
                Janitor.unregisterGroup(identity.pid(), identity.startTime());
            } else {
                Janitor.unregisterProcess(identity.pid(), identity.startTime());
            }
            stampTerminationTime();
        gone.complete(null);
        }
    }

    /** Reactor thread: watch the live descendants (and group members) so teardown knows when all are gone. */
    private void scanMembers() {
        if (gone.isDone()) {
            return;
        }
        List<ProcStat> snapshot = os.snapshot();
        Set<Long> roots = new HashSet<>(members.keySet());
        roots.add(identity.pid());
        for (ProcStat s : ProcessTree.descendants(snapshot, roots, ownGroup ? Set.of(identity.pid()) : Set.of())) {
            if (members.containsKey(s.pid()) || s.pid() == identity.pid()) {
                continue;
            }
            int fd = os.openPidfd(s.pid());
            Optional<ProcStat> again = os.stat(s.pid());
            if (fd < 0 || again.isEmpty() || again.get().startTime() != s.startTime() || again.get().isGone()) {
                os.close(fd); // gone already, or no pidfds on this kernel (then only the process itself is tracked)
                continue;
            }
            Member m = new Member(s.pid(), fd);
            members.put(s.pid(), m);
            long start = s.startTime();
            everMembers.put(s.pid(), start);
            m.registration = reactor.register(fd, r -> {
                m.close();
                members.remove(m.pid);
                reapIfOrphanedToUs(m.pid, start);
                scanMembers(); // it may have forked on its way out
                checkGone();
            });
        }
        checkGone();
    }

    // ---------------------------------------------------------------- Terminator.Target

    @Override
    public boolean isGone() {
        return gone.isDone();
    }

    @Override
    public CompletableFuture<Void> gone() {
        return gone;
    }

    /**
     * Starts watching the process's descendants; the future completes once they have been looked for
     * the first time. Teardown waits for it before the first signal: a process that dies at once would
     * otherwise orphan children nobody had seen yet (they re-parent to the JVM and live on).
     */
    @Override
    public CompletableFuture<Void> watch() {
        CompletableFuture<Void> scanned = new CompletableFuture<>();
        Runnable first = () -> {
            try {
                if (!watching) {
                    watching = true;
                    scanMembers();
                }
            } finally {
                scanned.complete(null);
            }
        };
        if (reactor.inReactorThread()) {
            first.run();
        } else {
            reactor.execute(first);
        }
        return scanned;
    }

    /** A JDK {@code Process} we adopted reports its status from the JDK's reaper thread: give it a moment. */
    void settleStatus(Duration atMost) {
        if (jdkProcess != null && exited.isDone() && !status.isDone()) {
            try {
                status.get(atMost.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // unknown, then
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void send(Signal signal, EndedBy cause) {
        if (cause != null && !exited.isDone()) {
            lastCause = cause;
        }
        signalSelf(signal.number());
        for (Member m : members.values()) {
            m.signal(signal.number());
        }
    }

    private SignalResult signalSelf(int signal) {
        synchronized (lock) {
            if (pidfdClosed || exited.isDone()) {
                return SignalResult.NO_SUCH_PROCESS;
            }
            ProtectedProcesses.checkProcess(os, identity.pid(), "signal");
            if (pidfd >= 0) {
                return os.signalPidfd(pidfd, signal);
            }
            // No pidfd on this kernel: re-check the identity right before the signal (a small window remains).
            return identity.isCurrent() ? os.signalPid(identity.pid(), signal) : SignalResult.NO_SUCH_PROCESS;
        }
    }

    @Override
    public List<ProcStat> members(List<ProcStat> snapshot) {
        List<ProcStat> out = new ArrayList<>();
        for (ProcStat s : snapshot) {
            if (!s.isGone() && ((s.pid() == identity.pid() && s.startTime() == identity.startTime())
                    || members.containsKey(s.pid()))) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public void beginTermination(long startNanos) {
        if (terminationStart == 0) {
            terminationStart = startNanos;
        }
    }

    /** Called right before {@code gone} completes, so whoever it wakes sees the duration. */
    private void stampTerminationTime() {
        long start = terminationStart;
        if (start != 0 && terminationTime == null) {
            terminationTime = Duration.ofNanos(System.nanoTime() - start);
        }
    }

    // ---------------------------------------------------------------- ManagedProcess

    @Override
    public long pid() {
        return identity.pid();
    }

    @Override
    public ProcessIdentity identity() {
        return identity;
    }

    @Override
    public List<String> command() {
        return command;
    }

    @Override
    public boolean isAlive() {
        if (exited.isDone()) {
            return false;
        }
        synchronized (lock) {
            if (pidfd >= 0 && !pidfdClosed) {
                return !os.pidfdExited(pidfd) && identity.isCurrent();
            }
        }
        return identity.isCurrent();
    }

    @Override
    public Optional<ExitStatus> exitStatus() {
        return status.isDone() ? Optional.of(status.join()) : Optional.empty();
    }

    @Override
    public Optional<EndedBy> endedBy() {
        return Optional.ofNullable(endedBy);
    }

    @Override
    public ExitStatus waitFor() throws InterruptedException {
        try {
            exited.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return knownStatus();
    }

    @Override
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        SpawnedProcess.checkTimeout(timeout);
        try {
            exited.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return Optional.of(knownStatus());
    }

    /**
     * Adopted by pid or {@code ProcessHandle}: only its parent (for a JDK child, the JDK's reaper) can
     * read its exit status, and this library is given no way to ask. Its end is still known (pidfd).
     */
    private boolean statusUnknowable() {
        return origin == Origin.ADOPTED && jdkProcess == null;
    }

    private ExitStatus knownStatus() throws InterruptedException {
        try {
            // the JDK's reaper may deliver the status a moment after the pidfd fired
            return status.get(jdkProcess != null ? 5000 : 0, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw unknownStatus();
        }
    }

    private IllegalStateException unknownStatus() {
        String why = statusUnknowable()
                ? "it was adopted by pid or ProcessHandle, so only its parent can read the status (adopt the JDK "
                        + "Process instead to keep it)"
                : jdkProcess != null ? "the JDK has not reported it within 5 s"
                : "it escaped its group and its parent, not this JVM, reaps it";
        return new IllegalStateException(this + " has ended, but its exit status is unknown: " + why
                + ". To wait for its end without the status, wait until isAlive() is false");
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        if (statusUnknowable()) {
            // Completes (exceptionally) when the process ends, rather than never.
            return exited.thenApplyAsync(v -> {
                throw unknownStatus();
            });
        }
        return status.thenApplyAsync(s -> s);
    }

    @Override
    public boolean signal(Signal signal) {
        if (signal == null) {
            throw new NullPointerException("signal must not be null");
        }
        if (!exited.isDone() && signal != Signal.CONT && signal != Signal.STOP) {
            lastCause = signal == Signal.KILL ? EndedBy.SIGKILL : EndedBy.SIGNAL;
        }
        return signalSelf(signal.number()) == SignalResult.DELIVERED;
    }

    @Override
    public boolean signalGroup(Signal signal) {
        throw new UnsupportedOperationException("pid " + pid() + " is tracked on its own, not as a process group "
                + "of this library (" + groupNote + "): signal it with signal(...); terminate() also ends its "
                + "descendants");
    }

    @Override
    public ExitStatus terminate() {
        return terminate(grace);
    }

    @Override
    public ExitStatus terminate(Duration gracePeriod) {
        SpawnedProcess.checkGracePeriod(gracePeriod);
        List<ProcessInfo> survivors = Terminator.terminate(os, List.of(this), gracePeriod);
        if (!survivors.isEmpty()) {
            throw new SurvivorsException(Terminator.survivorsMessage("terminate() of " + this, survivors), survivors);
        }
        return status.getNow(null);
    }

    @Override
    public ExitStatus kill() {
        List<ProcessInfo> survivors = Terminator.kill(os, List.of(this));
        if (!survivors.isEmpty()) {
            throw new SurvivorsException(Terminator.survivorsMessage("kill() of " + this, survivors), survivors);
        }
        return status.getNow(null);
    }

    @Override
    public void suspend() {
        send(Signal.STOP, null);
    }

    @Override
    public void resume() {
        send(Signal.CONT, null);
    }

    @Override
    public ProcessOutput stdout() {
        return stdout;
    }

    @Override
    public ProcessOutput stderr() {
        return stderr;
    }

    @Override
    public OutputStream stdin() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("stdin of " + SoloProcess.this + " is not available: the process was "
                        + (origin == Origin.ADOPTED ? "adopted" : "found as an escaped descendant")
                        + ", not started by this library");
            }
        };
    }

    @Override
    public List<ProcessInfo> descendants() {
        if (!isAlive()) {
            return List.of(); // gone: its pid may name a stranger now
        }
        List<ProcStat> snapshot = os.snapshot();
        List<ProcessInfo> out = new ArrayList<>();
        for (ProcStat s : ProcessTree.descendants(snapshot, Set.of(pid()), ownGroup ? Set.of(pid()) : Set.of())) {
            os.describe(s).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public long processGroup() {
        return isAlive() ? os.stat(pid()).map(ProcStat::pgid).orElse(-1L) : -1L;
    }

    @Override
    public boolean isProcessGroupLeader() {
        return isAlive() && os.stat(pid()).map(s -> s.pgid() == pid()).orElse(false);
    }

    @Override
    public Optional<ProcessHandle> toHandle() {
        return isAlive() ? ProcessHandle.of(pid()) : Optional.empty();
    }

    @Override
    public SignalDelivery signalDelivery() {
        return pidfd >= 0 ? SignalDelivery.PIDFD : SignalDelivery.PID;
    }

    @Override
    public Optional<Duration> terminationTime() {
        return Optional.ofNullable(terminationTime);
    }

    @Override
    public String toString() {
        return "pid " + pid() + " (" + String.join(" ", command) + ")";
    }

    /** A descendant watched during teardown; its pidfd is closed under its own lock. */
    private final class Member {
        private final long pid;
        private final int fd;
        private boolean closed;
        private Reactor.Registration registration;

        Member(long pid, int fd) {
            this.pid = pid;
            this.fd = fd;
        }

        synchronized void signal(int signal) {
            if (!closed) {
                os.signalPidfd(fd, signal);
            }
        }

        synchronized void close() {
            closed = true;
            registration.cancelAndClose();
        }
    }
}
