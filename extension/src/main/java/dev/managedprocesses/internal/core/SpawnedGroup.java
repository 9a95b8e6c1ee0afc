package dev.managedprocesses.internal.core;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.Signal;
import dev.managedprocesses.SignalDelivery;
import dev.managedprocesses.internal.janitor.Janitor;
import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.ContainerException;
import dev.managedprocesses.internal.os.Descriptors;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTree;
import dev.managedprocesses.internal.os.SignalResult;
import dev.managedprocesses.internal.os.Spawned;
import dev.managedprocesses.internal.reactor.Reactor;
import dev.managedprocesses.internal.safety.ChildGate;
import dev.managedprocesses.internal.safety.PinnedProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A child this JVM spawned into a process group of its own, which it leads. Its exit, its output and
 * its group's members are watched by the {@link Reactor}; the pid-reuse rules for the child live in its
 * {@link ChildGate}, those for the group's other members in {@link PinnedProcess}. It is gone when the
 * leader has exited and its group is empty: only then is the leader reaped (its pid, and so the group
 * id, cannot be recycled before).
 */
public final class SpawnedGroup extends TrackedProcess implements Reactor.GroupWatcher {
    private static final int READ_BUFFER = 64 * 1024;
    private static final byte[] SHARED_READ_BUFFER = new byte[READ_BUFFER]; // reactor thread only
    /** Reads of one pipe per event, at most (1 MiB). */
    private static final int DRAIN_READS = 16;
    /**
     * Reads of one pipe when all it holds is wanted now (at the leader's exit, after a teardown), at most (16 MiB:
     * more than a pipe holds unless its size limit was raised; the rest only from a writer that is still writing).
     */
    private static final int DRAIN_ALL_READS = 256;
    private static final CompletableFuture<Void> WATCHING = CompletableFuture.completedFuture(null);

    private final Reactor reactor;
    private final ChildGate gate;
    private final OutputStream stdin;

    // reactor-thread state
    // Set by the spawning thread, and by the reactor thread in the pidfd's first callback: a child that exits at
    // once may be seen ending (and finished) before register() has returned, and its pidfd must still be closed.
    private volatile Reactor.Registration pidfdRegistration;
    // Added to by the spawning thread while the reactor thread may already read it (a fast exit drains them).
    private final List<Pipe> pipes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean watchingGroup;
    private boolean awaitingContainer; // its cgroup.events watched, once it is reaped early and on its own
    private boolean reapQueued; // in READY_TO_REAP
    private final Map<Long, PinnedProcess> memberWatches = new HashMap<>();
    private long fallbackDelayMillis = 1;
    private long reapRetryMillis = 1;
    private static final long LEAVE_CHECK_FIRST = 5;
    private static final long LEAVE_CHECK_MAX = 1000;
    private long leaveCheckMillis = LEAVE_CHECK_FIRST; // reactor thread
    private long leaveCheckDue;                        // reactor thread; System.nanoTime(), 0 for none
    private volatile boolean signalled;                // since the last leave check was scheduled
    private final boolean containerHoldsGroup;         // its container's emptiness proves the group's

    private SpawnedGroup(Os os, Reactor reactor, ChildGate gate, Spawned spawned, ProcessIdentity identity,
            Container container, boolean containerHoldsGroup, List<String> command, Duration grace,
            OutputBuffer stdout, OutputBuffer stderr) {
        super(os, identity, container, command, grace, Origin.STARTED, stdout, stderr);
        this.containerHoldsGroup = containerHoldsGroup && container != null;
        this.reactor = reactor;
        this.gate = gate;
        this.stdin = spawned.stdinFd() >= 0 ? new PipeInput(os.descriptors(), spawned.stdinFd(), this)
                : new NoInput(() -> "stdin of " + this + " is not a pipe: it was redirected when the process was "
                        + "started. Leave stdin as a pipe (the default) to write to it");
    }

    /**
     * Wraps a freshly spawned, unreaped child and starts watching it.
     *
     * @param containerHoldsGroup true when everything of the child's process group is in {@code container}
     *     (see {@link ScopeContainment#afterSpawn}): then the kernel's word that the container is empty lets its
     *     leader be reaped without a look at the process table
     */
    static SpawnedGroup watch(Os os, Reactor reactor, Spawned spawned, Container container,
            boolean containerHoldsGroup, List<String> command, Duration grace, OutputBuffer stdout,
            OutputBuffer stderr) {
        // The child is ours and unreaped: its pid cannot be recycled, so this pidfd and this start
        // time are race-free.
        int pidfd = os.control().openPidfd(spawned.pid());
        ChildGate gate = new ChildGate(os, spawned.pid(), pidfd);
        // Where the spawn could tell the start time, /proc is not read: a read would leave the kernel entries for
        // this pid to take out again at the reap (BirthTick).
        long start = spawned.startTime() >= 0 ? spawned.startTime()
                : os.table().stat(spawned.pid()).map(ProcStat::startTime).orElse(0L);
        ProcessIdentity identity = new ProcessIdentity(spawned.pid(), start, os.table().bootId());
        SpawnedGroup p = new SpawnedGroup(os, reactor, gate, spawned, identity, container, containerHoldsGroup, command,
                grace, stdout, stderr);
        if (!p.containerHoldsGroup) {
            // Where its cgroup holds the group, the janitor's kill of the cgroups after a crash (registered
            // before the first spawn) ends it: a group line would only cost the janitor a wake-up per group.
            Janitor.registerGroup(spawned.pid(), start);
        }
        // Watched for changes only (edge-triggered, where the poller can): the last change of each (end of file,
        // exit) ends its watch without a system call to take it out of the poller (Reactor.registerOnChange).
        if (spawned.stdoutFd() >= 0) {
            p.pipes.add(new Pipe(reactor.registerOnChange(spawned.stdoutFd(), r -> p.drain(r, stdout)), stdout));
        }
        if (spawned.stderrFd() >= 0) {
            p.pipes.add(new Pipe(reactor.registerOnChange(spawned.stderrFd(), r -> p.drain(r, stderr)), stderr));
        }
        if (pidfd >= 0) {
            p.pidfdRegistration = reactor.registerOnChange(pidfd, r -> {
                p.pidfdRegistration = r;
                p.onExitReady();
            });
        } else {
            reactor.schedule(1, p::pollExit); // no pidfd on this kernel: back off from 1 ms to 50 ms
        }
        return p;
    }

    // ---------------------------------------------------------------- reactor side

    /**
     * Reads what the pipe holds. A short read means it held no more, so a level-triggered watch stops there (the end
     * of file, if it came meanwhile, is the next event); an edge-triggered one reads on to a read that would block
     * or the end of file: the last output and the end of file may come as one change, and no other event would
     * follow. At most {@value #DRAIN_READS} reads at a time (1 MiB, the most a pipe holds unless its size limit was
     * raised): a process that writes faster than they read does not hold the reactor from the others' events; an
     * edge-triggered pipe is then read on in a task of its own.
     */
    private void drain(Reactor.Registration r, OutputBuffer out) {
        drain(r, out, DRAIN_READS);
    }

    /** As {@link #drain(Reactor.Registration, OutputBuffer)}, with at most {@code maxReads} reads at a time. */
    private void drain(Reactor.Registration r, OutputBuffer out, int maxReads) {
        for (int reads = 0; ; reads++) {
            if (reads == maxReads) {
                if (r.isEdge()) {
                    reactor.execute(() -> {
                        if (!r.isCancelled()) { // else closed, and the number may name another descriptor now
                            drain(r, out);
                        }
                    });
                }
                return; // level-triggered: the poller reports it again
            }
            int n = os.descriptors().read(r.fd(), SHARED_READ_BUFFER);
            if (n > 0) {
                out.append(SHARED_READ_BUFFER, n);
                if (n < READ_BUFFER && !r.isEdge()) {
                    return;
                }
            } else if (n == 0) {
                out.end();
                closeWhenReleased(r);
                return;
            } else {
                return; // nothing more right now
            }
        }
    }

    private void onExitReady() {
        ScopeProof p = proof;
        Optional<ExitStatus> status;
        if (p != null && p.reapsAtExit()) {
            // Its scope's cgroup proves its group's end: the zombie need not wait for it, and one waitid reads the
            // status and reaps (from now on the group is not signalled by its id, and its cgroup decides who is in it).
            status = gate.reapNow();
        } else {
            status = gate.peekExit();
        }
        if (status.isPresent()) {
            recordExit(status.get());
        } else if (pidfdRegistration != null && pidfdRegistration.isEdge() && !ended.isDone()) {
            // The pidfd said it exited and waitid does not (yet) agree: level-triggered, the next event would ask
            // again; edge-triggered, none comes, so ask as where there is no pidfd (from 1 ms, backing off).
            reactor.schedule(1, this::pollExit);
        }
    }

    private void pollExit() {
        if (ended.isDone()) {
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
        if (ended.isDone()) {
            return;
        }
        if (pidfdRegistration != null) {
            // Stop watching the pidfd (its exit was its last change) but keep it open until the reap.
            pidfdRegistration.suspend();
        }
        // Everything the process wrote before it exited is already in the pipes: read it now, so that
        // output is complete for whoever waitFor() wakes up (descendants may still write later).
        for (Pipe pipe : pipes) {
            if (!pipe.registration().isCancelled()) {
                drain(pipe.registration(), pipe.output(), DRAIN_ALL_READS);
            }
        }
        recordEnd(status);
        watchingGroup = true; // hold the leader unreaped until its group is empty
        if (containerHoldsGroup) {
            if (proof != null) {
                proof.exited(this); // its scope's teardown: one proof of emptiness for all its groups
                return;
            }
            if (containerEmpty()) {
                reapLeader(); // the kernel says nothing of its group lives: no process-table scan
                return;
            }
        }
        reactor.requestGroupCheck(this);
    }

    /**
     * The proof of emptiness its scope's teardown takes for all its groups, or null: set by the closing thread
     * ({@link #join}), read and cleared by the reactor thread.
     */
    private volatile ScopeProof proof;

    /** Whether its cgroup holds its group and it is not gone: it may wait for a scope's proof. */
    boolean mayJoin() {
        return containerHoldsGroup && !gone.isDone();
    }

    /** Closing thread: it waits for {@code p} from now on, an exit the reactor handles after this included. */
    void join(ScopeProof p) {
        proof = p;
    }

    /**
     * Reactor thread: its scope's proof will not come (something still lives in the scope's cgroup): the group
     * proves its own end, as outside a teardown.
     */
    void proveOwnEnd() {
        proof = null;
        if (ended.isDone() && !gone.isDone()) {
            if (containerEmpty()) {
                reapLeader();
            } else if (gate.isReaped()) { // at its exit, before its group's end was proven
                awaitContainerEmpty(); // its group id is not its own to look for any more
            } else {
                reactor.requestGroupCheck(this);
            }
        }
    }

    /**
     * Reactor thread: a leader reaped at its exit whose scope's proof will not come waits for its own cgroup's
     * word that it is empty ({@code cgroup.events}, woken by the kernel), which its group's end is then. Not a
     * look for the members of its group: with the leader reaped, its group id may name a stranger's group once
     * the last member has died.
     */
    private void awaitContainerEmpty() {
        if (!awaitingContainer) {
            awaitingContainer = true;
            ContainerEmptiness.await(reactor, container, this::reapLeader); // on this, the reactor thread
        }
    }

    /** The kernel's word ({@code cgroup.events}) that no process lives in this process's container. */
    private boolean containerEmpty() {
        try {
            return !container.populated();
        } catch (ContainerException e) {
            return false; // unreadable: the process table decides
        }
    }

    @Override
    boolean containerHoldsAll() {
        return containerHoldsGroup;
    }

    @Override
    public long groupId() {
        return identity.pid();
    }

    @Override
    public void onSnapshot(List<ProcStat> snapshot) {
        if (gone.isDone() || gate.isReaped()) {
            return; // reaped at its exit: its scope's proof, or its own cgroup, says when its group is gone
        }
        long pid = identity.pid();
        long self = os.table().selfPid();
        List<ProcStat> live = new ArrayList<>();
        for (ProcStat s : snapshot) {
            if (s.pgid() != pid || s.pid() == pid) {
                continue;
            }
            if (!s.isGone()) {
                live.add(s);
            } else if (s.isZombie() && s.ppid() == self) {
                // A member orphaned and re-parented to this JVM (it is a subreaper): ours to reap, by pid.
                os.control().reap(s.pid());
            }
        }
        if (live.isEmpty() && ended.isDone()) {
            reapLeader();
            return;
        }
        if (!watchingGroup) {
            return;
        }
        boolean needPoll = !os.control().pidfdSupported();
        Set<Long> livePids = new HashSet<>();
        for (ProcStat m : live) {
            livePids.add(m.pid());
            if (memberWatches.containsKey(m.pid()) || needPoll) {
                continue;
            }
            // The member may have died and its pid been reused since the snapshot: pin it by identity, and
            // check it is still in our group (our leader is unreaped, so the group id is ours).
            PinnedProcess.Pin pin = PinnedProcess.pin(os, m.pid(), m.startTime());
            if (!pin.pinned() || pin.stat().pgid() != pid) {
                if (pin.pinned()) {
                    pin.process().close();
                }
                needPoll = true;
                continue;
            }
            long memberPid = m.pid();
            PinnedProcess member = pin.process();
            memberWatches.put(memberPid, member);
            member.exited().thenRun(() -> {
                if (memberWatches.remove(memberPid, member)) {
                    reactor.requestGroupCheck(this);
                }
            });
        }
        for (Iterator<Map.Entry<Long, PinnedProcess>> it = memberWatches.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, PinnedProcess> e = it.next();
            if (!livePids.contains(e.getKey())) {
                e.getValue().close(); // it left the group (setsid/setpgid) or died unseen
                it.remove();
            }
        }
        if (needPoll) {
            fallbackDelayMillis = Math.min(50, Math.max(1, fallbackDelayMillis * 2));
            reactor.schedule(fallbackDelayMillis, () -> reactor.requestGroupCheck(this));
        } else if (!live.isEmpty()) {
            scheduleLeaveCheck();
        }
    }

    /**
     * Reactor thread: a watched member may leave the group (setsid, setpgid) rather than die, and no event
     * says so; look again, backing off from {@value #LEAVE_CHECK_FIRST} ms to {@value #LEAVE_CHECK_MAX} ms, and
     * from the start again after each signal (a daemon handing over to a successor in a new session on
     * SIGTERM is the usual case).
     */
    private void scheduleLeaveCheck() {
        if (signalled) {
            signalled = false;
            leaveCheckMillis = LEAVE_CHECK_FIRST;
        }
        long delay = leaveCheckMillis;
        long due = System.nanoTime() + delay * 1_000_000;
        if (leaveCheckDue != 0 && leaveCheckDue - due <= 0) {
            return; // one is due sooner
        }
        leaveCheckDue = due;
        leaveCheckMillis = Math.min(LEAVE_CHECK_MAX, leaveCheckMillis * 2);
        reactor.schedule(delay, () -> {
            if (leaveCheckDue == due) {
                leaveCheckDue = 0;
            }
            reactor.requestGroupCheck(this);
        });
    }

    /**
     * Reactor thread: the leader has exited and its group is empty; it is reaped, with every other leader
     * found so in the same turn of the reactor, once the events of that turn are handled (a teardown ends
     * its groups in bursts: the janitor is told of them all in one write).
     */
    void reapLeader() {
        if (reapQueued || gone.isDone()) {
            return;
        }
        reapQueued = true;
        if (READY_TO_REAP.isEmpty()) {
            reactor.execute(SpawnedGroup::reapReady);
        }
        READY_TO_REAP.add(this);
    }

    /** Leaders whose groups are empty, to be reaped at the end of the reactor's turn; reactor thread only. */
    private static final List<SpawnedGroup> READY_TO_REAP = new ArrayList<>();

    private static void reapReady() {
        List<SpawnedGroup> ready = new ArrayList<>(READY_TO_REAP);
        READY_TO_REAP.clear();
        List<long[]> groups = new ArrayList<>(ready.size());
        for (SpawnedGroup p : ready) {
            if (!p.containerHoldsGroup) {
                groups.add(new long[] {p.identity.pid(), p.identity.startTime()});
            }
        }
        // Forget the groups before the reaps free their ids: the janitor never holds a recyclable pgid.
        if (!groups.isEmpty()) {
            Janitor.unregisterGroups(groups);
        }
        for (SpawnedGroup p : ready) {
            p.reapQueued = false;
            if (p.gate.reap()) {
                p.finish();
            } else {
                // Should not happen (it is our exited child); never spin on it: back off up to 1 s.
                p.reapRetryMillis = Math.min(1000, p.reapRetryMillis * 2);
                p.reactor.schedule(p.reapRetryMillis, () -> p.reactor.requestGroupCheck(p));
            }
        }
    }

    private void finish() {
        // Nobody in the group can read stdin any more: release its descriptor now (or, in a teardown, once it is
        // over) rather than at scope close (a class-wide scope may run thousands of commands). Never blocks the
        // reactor. So are the pidfd and (drain) the pipes read to their end.
        if (stdin instanceof PipeInput pipe) {
            releaseIfAny(pipe.detachIfIdle());
        }
        Reactor.Registration pidfd = pidfdRegistration;
        if (pidfd != null) {
            closeWhenReleased(pidfd);
        }
        for (PinnedProcess m : memberWatches.values()) {
            m.close();
        }
        memberWatches.clear();
        recordGone();
        if (container != null) {
            reactor.whenIdle(this::releaseContainer); // not before the exits of a teardown's other processes
        }
    }

    /** Reactor thread: stops watching {@code r} now, and closes its descriptor now or after the teardown ({@link #release}). */
    private void closeWhenReleased(Reactor.Registration r) {
        r.cancel();
        release(r::cancelAndClose);
    }

    /** {@link #release} of what closes a descriptor, if there is one to close (null: closed already). */
    private void releaseIfAny(Runnable close) {
        if (close != null) {
            release(close);
        }
    }

    /**
     * Closes stdin, then drains and closes the output pipes on the reactor thread; completes when done. Where
     * the reactor has read both to their end already (the usual case: nothing of the group holds them open
     * any more), there is nothing to hand it, and nothing to wait for.
     */
    @Override
    public CompletableFuture<Void> afterTeardown() {
        if (stdin instanceof PipeInput pipe) {
            releaseIfAny(pipe.detach()); // writes fail from now on; the descriptor is closed with the others
        }
        boolean open = false;
        for (Pipe pipe : pipes) {
            open |= !pipe.registration().isCancelled(); // cancelled only once read to its end (and ended)
        }
        if (!open) {
            return DONE;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        reactor.execute(() -> {
            try {
                for (Pipe pipe : pipes) {
                    if (!pipe.registration().isCancelled()) {
                        drain(pipe.registration(), pipe.output(), DRAIN_ALL_READS); // all that is left, then closed
                        pipe.registration().cancelAndClose();
                    }
                    pipe.output().end();
                }
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    @Override
    public long heldGroup() {
        return isGone() ? -1 : identity.pid();
    }

    // ---------------------------------------------------------------- Terminator.Target

    @Override
    public CompletableFuture<Void> watch() {
        // While the leader runs there is nothing to do: its exit (pidfd) starts the watching of the group's
        // members (recordExit). Nothing to wait for before signalling either: the group is signalled as a
        // whole, its members need no looking for. A group check per call would cost the reactor a scan per
        // group (n^2 /proc reads for n groups).
        if (ended.isDone() && !gone.isDone()) {
            reactor.execute(() -> {
                watchingGroup = true;
                reactor.requestGroupCheck(this);
            });
        }
        return WATCHING;
    }

    @Override
    protected void sendToAll(Signal signal) {
        signalled = true;
        sendToContainer(signal);
        gate.signalGroupAndLeader(signal);
    }

    @Override
    public List<ProcStat> members(List<ProcStat> snapshot) {
        Set<Long> inside = null;
        if (gate.isReaped()) {
            // Reaped before its group's end was proven (at its exit, in its scope's teardown): the group id may be
            // a stranger's by now, its cgroup is not.
            if (container == null) {
                return List.of();
            }
            try {
                inside = container.members();
            } catch (ContainerException e) {
                return List.of(); // removed: nothing is in it
            }
        }
        List<ProcStat> out = new ArrayList<>();
        for (ProcStat s : snapshot) {
            if (!s.isGone() && (inside == null ? s.pgid() == identity.pid() : inside.contains(s.pid()))) {
                out.add(s);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- the process

    @Override
    public boolean isAlive() {
        if (ended.isDone()) {
            return false;
        }
        // The reactor may not have seen the exit yet: ask the kernel (without reaping).
        return gate.peekExit().isEmpty() && !gate.isReaped();
    }

    @Override
    public Optional<ExitStatus> exitStatus() {
        if (ended.isDone()) {
            return super.exitStatus();
        }
        return gate.exitStatus(); // reaped at its exit in a teardown, a moment before the reactor records it
    }

    @Override
    protected SignalResult deliver(Signal signal) {
        return gate.signal(signal);
    }

    @Override
    public boolean signalGroup(Signal signal) {
        java.util.Objects.requireNonNull(signal, "signal must not be null");
        noteCause(signal);
        return gate.signalGroup(signal) == SignalResult.DELIVERED;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public List<ProcessInfo> descendants() {
        if (gate.isReaped()) {
            return List.of(); // its group was empty when it was reaped, or is being ended; the pid may name a stranger now
        }
        List<ProcStat> snapshot = os.table().snapshot();
        List<ProcessInfo> out = new ArrayList<>();
        for (ProcStat s : ProcessTree.descendants(snapshot, Set.of(pid()), Set.of(pid()))) {
            os.table().describe(s).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public long processGroup() {
        // what the kernel says while the pid is ours; the group it led once it has been reaped
        return gate.whileUnreaped(() -> os.table().stat(pid()).map(ProcStat::pgid)).orElse(pid());
    }

    @Override
    public boolean isProcessGroupLeader() {
        // a zombie leader runs nothing, so it leads no group (the same answer an adopted handle gives)
        return gate.whileUnreaped(() -> os.table().stat(pid()).map(s -> s.pgid() == pid() && !s.isGone()))
                .orElse(false);
    }

    @Override
    public Optional<ProcessHandle> toHandle() {
        return gate.whileUnreaped(() -> isAlive() ? ProcessHandle.of(pid()) : Optional.empty());
    }

    @Override
    public SignalDelivery signalDelivery() {
        return gate.pidfd() >= 0 ? SignalDelivery.PIDFD : SignalDelivery.PID;
    }

    private record Pipe(Reactor.Registration registration, OutputBuffer output) {
    }

    private static final class PipeInput extends OutputStream {
        private final Descriptors io;
        private final int fd;
        private final Object owner;
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        private boolean closed;

        PipeInput(Descriptors io, int fd, Object owner) {
            this.io = io;
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
                io.write(fd, b, off, len);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            Runnable close = detach();
            if (close != null) {
                close.run();
            }
        }

        /**
         * Marks it closed (writes fail from now on) and returns what closes its descriptor, or null if that was done
         * already: the caller closes it now, or after its scope's teardown.
         */
        Runnable detach() {
            lock.lock();
            try {
                return detachLocked();
            } finally {
                lock.unlock();
            }
        }

        /** As {@link #detach()}, unless a write is in progress (it will fail with EPIPE; the scope closes it later). */
        Runnable detachIfIdle() {
            if (!lock.tryLock()) {
                return null;
            }
            try {
                return detachLocked();
            } finally {
                lock.unlock();
            }
        }

        private Runnable detachLocked() {
            if (closed) {
                return null;
            }
            closed = true;
            return () -> io.close(fd);
        }
    }
}
