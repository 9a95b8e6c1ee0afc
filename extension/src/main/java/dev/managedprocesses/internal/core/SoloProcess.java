package dev.managedprocesses.internal.core;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.Signal;
import dev.managedprocesses.SignalDelivery;
import dev.managedprocesses.internal.janitor.Janitor;
import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTree;
import dev.managedprocesses.internal.os.SignalResult;
import dev.managedprocesses.internal.reactor.Reactor;
import dev.managedprocesses.internal.safety.PinnedProcess;
import java.io.IOException;
import java.io.OutputStream;
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
 * from elsewhere (it has already exec'd, so it cannot be moved into a group of ours), or a descendant
 * that escaped its group ({@code setsid}, double fork) and was found at teardown.
 *
 * <p>It is not (necessarily) our child, so it and the descendants watched with it are
 * {@link PinnedProcess}es: signalled only through a pidfd opened after the identity was verified. Its
 * exit status is known only when it is a JDK {@code Process} we were given, or an escaped orphan
 * re-parented to this JVM, which we reap; otherwise it is unknown. Adopted processes are never reaped
 * here: they may be the JDK's children, and reaping those would steal their status. Its end is always
 * known: {@link #isAlive()} turns false and {@link #endedBy()} is set; {@code waitFor} returns at that
 * moment, by throwing {@link IllegalStateException} when the status is unknown.
 */
public final class SoloProcess extends TrackedProcess {
    /** How long teardown waits for the JDK to report the status of an adopted {@code Process} that ended. */
    private static final Duration JDK_STATUS_WAIT = Duration.ofSeconds(2);

    private final PinnedProcess self;
    private final Process jdkProcess;
    private final boolean ownGroup;
    private final String groupNote;
    private final Map<Long, PinnedProcess> members = new ConcurrentHashMap<>();
    private final Map<Long, Long> everMembers = new ConcurrentHashMap<>(); // pid -> start time
    private boolean watching; // reactor thread

    SoloProcess(Os os, PinnedProcess self, Container container, List<String> command, Duration grace, Origin origin,
            Process jdkProcess, boolean ownGroup, String groupNote) {
        super(os, self.identity(), container, command, grace, origin, uncaptured("stdout", self.identity(), command),
                uncaptured("stderr", self.identity(), command));
        this.self = self;
        this.jdkProcess = jdkProcess;
        this.ownGroup = ownGroup;
        this.groupNote = groupNote;
        if (jdkProcess != null) {
            jdkProcess.onExit().thenAccept(p -> status.complete(fromJdkExitValue(p.exitValue())));
        }
    }

    /** The JDK reports death by signal n as 128 + n. */
    private static ExitStatus fromJdkExitValue(int value) {
        return value > 128 && value <= 128 + 64 ? ExitStatus.killedBySignalNumber(value - 128, false)
                : ExitStatus.exited(value & 0xff);
    }

    /** Registers it with the janitor and starts watching for its end. */
    void start() {
        // Moved into a group of its own (adopted before it exec'd): its group is ours, like a spawned one.
        if (ownGroup) {
            Janitor.registerAdoptedGroup(identity.pid(), identity.startTime()); // no cookie: written at once
        } else {
            Janitor.registerProcess(identity.pid(), identity.startTime());
        }
        self.exited().thenRun(this::onProcessExit); // on the reactor thread
    }

    /** Reactor thread: the process itself is gone. */
    private void onProcessExit() {
        recordEnd(getOrReapIfEscapedZombie());
        checkGone();
    }

    /**
     * An escaped descendant re-parented to this JVM (the subreaper) is ours to reap: it carries our scope's
     * marker, so it is no JDK child. A zombie keeps its pid, so pid + start time still identify it.
     */
    private ExitStatus getOrReapIfEscapedZombie() {
        if (origin() != Origin.ESCAPED || status.isDone()) {
            return null;
        }
        return reapIfOrphanedToUs(identity.pid(), identity.startTime()).orElse(null);
    }

    private Optional<ExitStatus> reapIfOrphanedToUs(long pid, long start) {
        Optional<ProcStat> s = os.table().stat(pid);
        if (s.isPresent() && s.get().isZombie() && s.get().ppid() == os.table().selfPid()
                && s.get().startTime() == start) {
            return os.control().reap(pid);
        }
        return Optional.empty();
    }

    private void checkGone() {
        if (ended.isDone() && members.isEmpty() && !gone.isDone()) {
            self.close();
            if (ownGroup) {
                Janitor.unregisterGroup(identity.pid(), identity.startTime());
            } else {
                Janitor.unregisterProcess(identity.pid(), identity.startTime());
            }
            releaseContainer();
            recordGone();
        }
    }

    /** Reactor thread: watch the live descendants (and group members) so teardown knows when all are gone. */
    private void scanMembers() {
        if (gone.isDone()) {
            return;
        }
        List<ProcStat> snapshot = os.table().snapshot();
        Set<Long> roots = new HashSet<>(members.keySet());
        roots.add(identity.pid());
        for (ProcStat s : ProcessTree.descendants(snapshot, roots, ownGroup ? Set.of(identity.pid()) : Set.of())) {
            if (members.containsKey(s.pid()) || s.pid() == identity.pid()) {
                continue;
            }
            PinnedProcess.Pin pin = PinnedProcess.pin(os, s.pid(), s.startTime());
            if (!pin.pinned()) {
                continue; // gone already, recycled, or protected: never ours to signal
            }
            PinnedProcess m = pin.process();
            long pid = s.pid();
            long start = s.startTime();
            members.put(pid, m);
            everMembers.put(pid, start);
            m.exited().thenRun(() -> {
                members.remove(pid, m);
                reapIfOrphanedToUs(pid, start);
                scanMembers(); // it may have forked on its way out
                checkGone();
            });
        }
        checkGone();
    }

    // ---------------------------------------------------------------- Terminator.Target

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
        Reactor reactor = Reactor.get();
        if (reactor.inReactorThread()) {
            first.run();
        } else {
            reactor.execute(first);
        }
        return scanned;
    }

    @Override
    protected void sendToAll(Signal signal) {
        sendToContainer(signal);
        self.signal(signal);
        for (PinnedProcess m : members.values()) {
            m.signal(signal);
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

    /**
     * After the scope's teardown (every re-parenting done): reaps this process if it escaped and became
     * our zombie, and the descendants that died under a living parent and were its zombies until it died
     * too; gives an adopted JDK {@code Process} a moment to report its status.
     */
    @Override
    public CompletableFuture<Void> afterTeardown() {
        if (origin() == Origin.ESCAPED && !status.isDone()) {
            reapIfOrphanedToUs(identity.pid(), identity.startTime()).ifPresent(status::complete);
        }
        everMembers.forEach(this::reapIfOrphanedToUs);
        if (jdkProcess != null && ended.isDone() && !status.isDone()) {
            try {
                status.get(JDK_STATUS_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // unknown, then
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return super.afterTeardown();
    }

    // ---------------------------------------------------------------- the process

    @Override
    public boolean isAlive() {
        return !ended.isDone() && self.isAlive();
    }

    @Override
    protected boolean statusKnowable() {
        return !(origin() == Origin.ADOPTED && jdkProcess == null);
    }

    @Override
    protected ExitStatus knownStatus() throws InterruptedException {
        try {
            // the JDK's reaper may deliver the status a moment after the pidfd fired
            return status.get(jdkProcess != null ? 5000 : 0, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw unknownStatus();
        }
    }

    @Override
    protected String unknownStatusReason() {
        if (!statusKnowable()) {
            return "it was adopted by pid or ProcessHandle, so only its parent can read the status (adopt the JDK "
                    + "Process instead to keep it)";
        }
        return jdkProcess != null ? "the JDK has not reported it within 5 s"
                : "it escaped its group and its parent, not this JVM, reaps it";
    }

    @Override
    protected SignalResult deliver(Signal signal) {
        if (ended.isDone()) {
            return SignalResult.NO_SUCH_PROCESS;
        }
        return self.signal(signal);
    }

    @Override
    public boolean signalGroup(Signal signal) {
        throw new UnsupportedOperationException("pid " + pid() + " is tracked on its own, not as a process group "
                + "of this library (" + groupNote + "): signal it with signal(...); terminate() also ends its "
                + "descendants");
    }

    @Override
    public OutputStream stdin() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("stdin of " + SoloProcess.this + " is not available: the process was "
                        + (origin() == Origin.ADOPTED ? "adopted" : "found as an escaped descendant")
                        + ", not started by this library");
            }
        };
    }

    @Override
    public List<ProcessInfo> descendants() {
        if (!isAlive()) {
            return List.of(); // gone: its pid may name a stranger now
        }
        List<ProcStat> snapshot = os.table().snapshot();
        List<ProcessInfo> out = new ArrayList<>();
        for (ProcStat s : ProcessTree.descendants(snapshot, Set.of(pid()), ownGroup ? Set.of(pid()) : Set.of())) {
            os.table().describe(s).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public long processGroup() {
        return isAlive() ? os.table().stat(pid()).map(ProcStat::pgid).orElse(-1L) : -1L;
    }

    @Override
    public boolean isProcessGroupLeader() {
        return isAlive() && os.table().stat(pid()).map(s -> s.pgid() == pid()).orElse(false);
    }

    @Override
    public Optional<ProcessHandle> toHandle() {
        return isAlive() ? ProcessHandle.of(pid()) : Optional.empty();
    }

    @Override
    public SignalDelivery signalDelivery() {
        return self.hasPidfd() ? SignalDelivery.PIDFD : SignalDelivery.PID;
    }
}
