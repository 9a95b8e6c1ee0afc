package dev.managedprocesses;

import dev.managedprocesses.internal.Janitor;
import dev.managedprocesses.internal.Reactor;
import dev.managedprocesses.internal.ScopeRegistry;
import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.internal.os.OsProcesses.SignalResult;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.Spawned;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child this JVM spawned into its own process group. Exit, output and group membership are
 * watched by the {@link Reactor}; the pid-reuse rules live in {@link ChildGate}.
 */
final class SpawnedProcess implements ManagedProcess, Terminator.Target, Reactor.GroupWatcher {
    private static final int READ_BUFFER = 64 * 1024;
    private static final byte[] SHARED_READ_BUFFER = new byte[READ_BUFFER]; // reactor thread only

    private final Reactor reactor;
    private final OsProcesses os;
    private final ChildGate gate;
    private final ProcessIdentity identity;
    private final List<String> command;
    private final Duration grace;
    private final ProcessOutput stdout;
    private final ProcessOutput stderr;
    private final OutputStream stdin;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final CompletableFuture<Void> gone = new CompletableFuture<>();
    private volatile EndedBy lastCause;
    private volatile EndedBy endedBy;
    private volatile Duration terminationTime;
    private volatile long terminationStart;

    // reactor-thread state
    private Reactor.Registration pidfdRegistration;
    private final List<Pipe> pipes = new ArrayList<>(2);
    private boolean watchingGroup;
    private final Map<Long, Reactor.Registration> memberWatches = new HashMap<>();
    private long fallbackDelayMillis = 1;
    private long reapRetryMillis = 1;

    private SpawnedProcess(Reactor reactor, Spawned spawned, int pidfd, ProcessIdentity identity, List<String> command,
            Duration grace, ProcessOutput stdout, ProcessOutput stderr) {
        this.reactor = reactor;
        this.os = reactor.os();
        this.gate = new ChildGate(os, spawned.pid(), pidfd);
        this.identity = identity;
        this.command = List.copyOf(command);
        this.grace = grace;
        this.stdout = stdout;
        this.stderr = stderr;
        this.stdin = spawned.stdinFd() >= 0 ? new PipeInput(os, spawned.stdinFd(), this) : new NoInput(this);
        stdout.attach(this);
        stderr.attach(this);
    }

    /** Wraps a freshly spawned, unreaped child and starts watching it. */
    static SpawnedProcess watch(Reactor reactor, Spawned spawned, List<String> command, Duration grace,
            ProcessOutput stdout, ProcessOutput stderr) {
        OsProcesses os = reactor.os();
        // The child is ours and unreaped: its pid cannot be recycled, so this pidfd and this start
        // time are race-free.
        int pidfd = os.openPidfd(spawned.pid());
        long start = os.stat(spawned.pid()).map(ProcStat::startTime).orElse(0L);
        ProcessIdentity identity = new ProcessIdentity(spawned.pid(), start, os.bootId());
        SpawnedProcess p = new SpawnedProcess(reactor, spawned, pidfd, identity, command, grace, stdout, stderr);
        ScopeRegistry.unreaped(spawned.pid());
        Janitor.registerGroup(spawned.pid(), start);
        if (spawned.stdoutFd() >= 0) {
            p.pipes.add(new Pipe(reactor.register(spawned.stdoutFd(), r -> p.drain(r, stdout)), stdout));
        }
        if (spawned.stderrFd() >= 0) {
            p.pipes.add(new Pipe(reactor.register(spawned.stderrFd(), r -> p.drain(r, stderr)), stderr));
        }
        if (pidfd >= 0) {
            p.pidfdRegistration = reactor.register(pidfd, r -> p.onExitReady());
        } else {
            reactor.schedule(1, p::pollExit); // no pidfd on this kernel: back off from 1 ms to 50 ms
        }
        return p;
    }

    // ---------------------------------------------------------------- reactor side

    private void drain(Reactor.Registration r, ProcessOutput out) {
        while (true) {
            int n = os.read(r.fd(), SHARED_READ_BUFFER);
            if (n > 0) {
                out.append(SHARED_READ_BUFFER, n);
                if (n < READ_BUFFER) {
                    return;
                }
            } else if (n == 0) {
                out.end();
                r.cancelAndClose();
                return;
            } else {
                return; // nothing more right now
            }
        }
    }

    private void onExitReady() {
        Optional<ExitStatus> status = gate.peekExit();
        if (status.isEmpty()) {
            return;
        }
        recordExit(status.get());
    }

    private void pollExit() {
        if (exit.isDone()) {
            return;
        }
        Optional<ExitStatus> status = gate.peekExit();
        if (status.isPresent()) {
            recordExit(status.get());
        } else {
            fallbackDelayMillis = Math.min(50, fallbackDelayMillis * 2);
            reactor.schedule(fallbackDelayMillis, this::pollExit);
        }
    }

    private void recordExit(ExitStatus status) {
        if (exit.isDone()) {
            return;
        }
        if (pidfdRegistration != null) {
            // Stop polling the (level-triggered) pidfd but keep it open until the reap.
            pidfdRegistration.suspend();
        }
        // Everything the process wrote before it exited is already in the pipes: read it now, so that
        // output is complete for whoever waitFor() wakes up (descendants may still write later).
        for (Pipe pipe : pipes) {
            if (!pipe.registration().isCancelled()) {
                drain(pipe.registration(), pipe.output());
            }
        }
        EndedBy cause = lastCause;
        endedBy = cause == null ? EndedBy.ITSELF : cause;
        exit.complete(status);
        watchingGroup = true; // hold the leader unreaped until its group is empty
        reactor.requestGroupCheck(this);
    }

    @Override
    public long groupId() {
        return identity.pid();
    }

    @Override
    public void onSnapshot(List<ProcStat> snapshot) {
        if (gone.isDone()) {
            return;
        }
        long pid = identity.pid();
        List<ProcStat> live = new ArrayList<>();
        for (ProcStat s : snapshot) {
            if (s.pgid() != pid || s.pid() == pid) {
                continue;
            }
            if (!s.isGone()) {
                live.add(s);
            } else if (s.isZombie() && s.ppid() == os.selfPid()) {
                // A member orphaned and re-parented to this JVM (it is a subreaper): ours to reap, by pid.
                os.reap(s.pid());
            }
        }
        if (live.isEmpty() && exit.isDone()) {
            // Forget the group before the reap frees its id: the janitor never holds a recyclable pgid.
            Janitor.unregisterGroup(pid, identity.startTime());
            if (gate.reap()) {
                finish();
            } else {
                // Should not happen (it is our exited child); never spin on it: back off up to 1 s.
                reapRetryMillis = Math.min(1000, reapRetryMillis * 2);
                reactor.schedule(reapRetryMillis, () -> reactor.requestGroupCheck(this));
            }
            return;
        }
        if (!watchingGroup) {
            return;
        }
        boolean needPoll = !os.pidfdSupported();
        Set<Long> livePids = new java.util.HashSet<>();
        for (ProcStat m : live) {
            livePids.add(m.pid());
            if (memberWatches.containsKey(m.pid()) || needPoll) {
                continue;
            }
            int fd = os.openPidfd(m.pid());
            if (fd < 0) {
                needPoll = true;
                continue;
            }
            // The member may have died and its pid been reused between the snapshot and the open:
            // re-read it. Its pgid is ours and our leader is unreaped, so a match is a genuine member.
            Optional<ProcStat> again = os.stat(m.pid());
            if (again.isEmpty() || again.get().pgid() != pid || again.get().startTime() != m.startTime()
                    || again.get().isGone()) {
                os.close(fd);
                needPoll = true;
                continue;
            }
            long memberPid = m.pid();
            memberWatches.put(memberPid, reactor.register(fd, r -> {
                r.cancelAndClose();
                memberWatches.remove(memberPid);
                reactor.requestGroupCheck(this);
            }));
        }
        for (Iterator<Map.Entry<Long, Reactor.Registration>> it = memberWatches.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Reactor.Registration> e = it.next();
            if (!livePids.contains(e.getKey())) {
                e.getValue().cancelAndClose(); // it left the group (setsid/setpgid) or died unseen
                it.remove();
            }
        }
        if (needPoll) {
            fallbackDelayMillis = Math.min(50, Math.max(1, fallbackDelayMillis * 2));
            reactor.schedule(fallbackDelayMillis, () -> reactor.requestGroupCheck(this));
        }
    }

    private void finish() {
        ScopeRegistry.reaped(identity.pid());
        // Nobody in the group can read stdin any more: release its descriptor now rather than at scope
        // close (a class-wide scope may run thousands of commands). Never blocks the reactor.
        if (stdin instanceof PipeInput pipe) {
            pipe.closeIfIdle();
        }
        if (pidfdRegistration != null) {
            pidfdRegistration.cancelAndClose();
        }
        for (Reactor.Registration r : memberWatches.values()) {
            r.cancelAndClose();
        }
        memberWatches.clear();
        stampTerminationTime();
        gone.complete(null);
    }

    /** Drains and closes the output pipes of {@code processes} (after teardown), in one reactor task; waits until done. */
    static void closeStreams(Reactor reactor, List<SpawnedProcess> processes) {
        if (processes.isEmpty()) {
            return;
        }
        for (SpawnedProcess p : processes) {
            try {
                p.stdin.close();
            } catch (IOException ignored) {
                // nothing to report: the process is gone
            }
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        reactor.execute(() -> {
            try {
                for (SpawnedProcess p : processes) {
                    for (Pipe pipe : p.pipes) {
                        if (!pipe.registration().isCancelled()) {
                            p.drain(pipe.registration(), pipe.output());
                            pipe.registration().cancelAndClose();
                        }
                        pipe.output().end();
                    }
                }
            } finally {
                done.complete(null);
            }
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the reactor is wedged: nothing sensible to do beyond not hanging the test
        }
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

    @Override
    public CompletableFuture<Void> watch() {
        // While the leader runs there is nothing to do: its exit (pidfd) starts the watching of the group's
        // members (recordExit). Teardown calls this for every group before signalling; a group check per
        // call used to cost the reactor a scan per group (n^2 /proc reads for n groups). Nothing to wait
        // for before signalling: the group is signalled as a whole, its members need no looking for.
        if (exit.isDone() && !gone.isDone()) {
            reactor.execute(() -> {
                watchingGroup = true;
                reactor.requestGroupCheck(this);
            });
        }
        return WATCHING;
    }

    private static final CompletableFuture<Void> WATCHING = CompletableFuture.completedFuture(null);

    @Override
    public void send(Signal signal, EndedBy cause) {
        if (cause != null && !exit.isDone()) {
            lastCause = cause;
        }
        gate.signalGroupAndLeader(signal.number());
    }

    @Override
    public List<ProcStat> members(List<ProcStat> snapshot) {
        List<ProcStat> out = new ArrayList<>();
        for (ProcStat s : snapshot) {
            if (s.pgid() == identity.pid() && !s.isGone()) {
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
        if (exit.isDone()) {
            return false;
        }
        // The reactor may not have seen the exit yet: ask the kernel (without reaping).
        return gate.peekExit().isEmpty() && !gate.isReaped();
    }

    @Override
    public Optional<ExitStatus> exitStatus() {
        if (exit.isDone()) {
            return Optional.of(exit.join());
        }
        return gate.peekExit();
    }

    @Override
    public Optional<EndedBy> endedBy() {
        return Optional.ofNullable(endedBy);
    }

    @Override
    public ExitStatus waitFor() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        checkTimeout(timeout);
        try {
            return Optional.of(exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    static void checkTimeout(Duration timeout) {
        if (timeout == null) {
            throw new NullPointerException("timeout must not be null: pass a Duration, e.g. Duration.ofSeconds(10)"
                    + " (Duration.ZERO checks without waiting), or call waitFor() to wait without a limit");
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative but was " + timeout
                    + ": use Duration.ZERO to check without waiting");
        }
    }

    static void checkGracePeriod(Duration gracePeriod) {
        if (gracePeriod == null) {
            throw new NullPointerException("gracePeriod must not be null: pass a Duration, e.g. Duration.ofSeconds(2),"
                    + " or call terminate() for the scope's grace period");
        }
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod must not be negative but was " + gracePeriod
                    + ": use Duration.ZERO to send SIGKILL right after SIGTERM, or kill() to send SIGKILL alone");
        }
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exit.thenApplyAsync(s -> s);
    }

    @Override
    public boolean signal(Signal signal) {
        if (signal == null) {
            throw new NullPointerException("signal must not be null");
        }
        if (!exit.isDone() && signal != Signal.CONT && signal != Signal.STOP) {
            lastCause = signal == Signal.KILL ? EndedBy.SIGKILL : EndedBy.SIGNAL;
        }
        return gate.signal(signal.number()) == SignalResult.DELIVERED;
    }

    @Override
    public boolean signalGroup(Signal signal) {
        if (signal == null) {
            throw new NullPointerException("signal must not be null");
        }
        if (!exit.isDone() && signal != Signal.CONT && signal != Signal.STOP) {
            lastCause = signal == Signal.KILL ? EndedBy.SIGKILL : EndedBy.SIGNAL;
        }
        return gate.signalGroup(signal.number()) == SignalResult.DELIVERED;
    }

    @Override
    public ExitStatus terminate() {
        return terminate(grace);
    }

    @Override
    public ExitStatus terminate(Duration gracePeriod) {
        checkGracePeriod(gracePeriod);
        List<ProcessInfo> survivors = Terminator.terminate(os, List.of(this), gracePeriod);
        if (!survivors.isEmpty()) {
            throw new SurvivorsException(Terminator.survivorsMessage("terminate() of " + this, survivors), survivors);
        }
        return exit.join();
    }

    @Override
    public ExitStatus kill() {
        List<ProcessInfo> survivors = Terminator.kill(os, List.of(this));
        if (!survivors.isEmpty()) {
            throw new SurvivorsException(Terminator.survivorsMessage("kill() of " + this, survivors), survivors);
        }
        return exit.join();
    }

    @Override
    public void suspend() {
        gate.signalGroup(Signal.STOP.number());
    }

    @Override
    public void resume() {
        gate.signalGroup(Signal.CONT.number());
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
        return stdin;
    }

    @Override
    public List<ProcessInfo> descendants() {
        if (gate.isReaped()) {
            return List.of(); // its group was empty when it was reaped; the pid may name a stranger now
        }
        List<ProcStat> snapshot = os.snapshot();
        List<ProcessInfo> out = new ArrayList<>();
        for (ProcStat s : ProcessTree.descendants(snapshot, Set.of(pid()), Set.of(pid()))) {
            os.describe(s).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public long processGroup() {
        // what the kernel says while the pid is ours; the group it led once it has been reaped
        return gate.whileUnreaped(() -> os.stat(pid()).map(ProcStat::pgid)).orElse(pid());
    }

    @Override
    public boolean isProcessGroupLeader() {
        // a zombie leader runs nothing, so it leads no group (the same answer an adopted handle gives)
        return gate.whileUnreaped(() -> os.stat(pid()).map(s -> s.pgid() == pid() && !s.isGone())).orElse(false);
    }

    @Override
    public Optional<ProcessHandle> toHandle() {
        return gate.whileUnreaped(() -> isAlive() ? ProcessHandle.of(pid()) : Optional.empty());
    }

    @Override
    public SignalDelivery signalDelivery() {
        return gate.pidfd() >= 0 ? SignalDelivery.PIDFD : SignalDelivery.PID;
    }

    @Override
    public Optional<Duration> terminationTime() {
        return Optional.ofNullable(terminationTime);
    }

    @Override
    public String toString() {
        return "pid " + pid() + " (" + String.join(" ", command) + ")";
    }

    private record Pipe(Reactor.Registration registration, ProcessOutput output) {
    }

    /**
     * stdin as a blocking pipe. The descriptor is closed under the same lock writes take, so a write
     * can never reach a recycled descriptor number.
     */
    private static final class PipeInput extends OutputStream {
        private final OsProcesses os;
        private final int fd;
        private final Object owner;
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        private boolean closed;

        PipeInput(OsProcesses os, int fd, Object owner) {
            this.os = os;
            this.fd = fd;
            this.owner = owner;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            lock.lock();
            try {
                if (closed) {
                    throw new IOException("stdin of " + owner + " is closed (by close(), or because the process "
                            + "and its group have ended)");
                }
                os.write(fd, b, off, len);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                closeLocked();
            } finally {
                lock.unlock();
            }
        }

        /** Closes unless a write is in progress (it will fail with EPIPE; the scope closes it later). */
        void closeIfIdle() {
            if (lock.tryLock()) {
                try {
                    closeLocked();
                } finally {
                    lock.unlock();
                }
            }
        }

        private void closeLocked() {
            if (!closed) {
                closed = true;
                os.close(fd);
            }
        }
    }

    /** stdin that is not a pipe. */
    private static final class NoInput extends OutputStream {
        private final Object owner;

        NoInput(Object owner) {
            this.owner = owner;
        }

        @Override
        public void write(int b) throws IOException {
            throw new IOException("stdin of " + owner + " is not a pipe: it was redirected when the process "
                    + "was started. Leave stdin as a pipe (the default) to write to it");
        }
    }
}
