package dev.managedprocesses.internal.core;

import dev.managedprocesses.EndedBy;
import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.Signal;
import dev.managedprocesses.SignalDelivery;
import dev.managedprocesses.SurvivorsException;
import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.ContainerException;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.SignalResult;
import dev.managedprocesses.internal.reactor.Reactor;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every process a scope answers for has in common, spawned ({@link SpawnedGroup}) or not
 * ({@link SoloProcess}): its identity and command, how it ended and who ended it, waiting for that, the
 * TERM/grace/KILL of {@link Terminator}, and the record teardown keeps of it. Subclasses say how the
 * process is signalled and when it (and everything it answers for) is gone.
 *
 * <p>Three moments, three futures: {@code ended} (the process itself has ended), {@code status} (its exit
 * status, which may come with the end, a moment later, or never for a process we are not the parent
 * of), {@code gone} (it and its group or descendants are gone: teardown waits for this one).
 */
public abstract class TrackedProcess implements Terminator.Target {

    /** How a process came to be tracked. */
    public enum Origin {
        /** Started by a scope, in a process group of its own. */
        STARTED,
        /** Adopted: started elsewhere, handed to a scope. */
        ADOPTED,
        /** A descendant that left its group ({@code setsid}, double fork), found at teardown. */
        ESCAPED
    }

    static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** How long suspend() and resume() wait for the kernel to freeze or thaw a container. */
    private static final Duration FREEZE_WAIT = Duration.ofSeconds(5);

    protected final Os os;
    protected final ProcessIdentity identity;
    /** The process's own container (cgroup mode: it and all it forks), or null. */
    protected final Container container;
    private final List<String> command;
    private final Duration grace;
    private final Origin origin;
    private final OutputBuffer stdout;
    private final OutputBuffer stderr;
    protected final CompletableFuture<Void> ended = new CompletableFuture<>();
    protected final CompletableFuture<ExitStatus> status = new CompletableFuture<>();
    protected final CompletableFuture<Void> gone = new CompletableFuture<>();
    private volatile EndedBy lastCause;
    private volatile EndedBy endedBy;
    private volatile Duration terminationTime;
    private volatile long terminationStart;

    @SuppressWarnings("this-escape") // the buffers only keep the reference (attach): nothing calls back into it yet
    protected TrackedProcess(Os os, ProcessIdentity identity, Container container, List<String> command, Duration grace,
            Origin origin, OutputBuffer stdout, OutputBuffer stderr) {
        this.os = os;
        this.identity = identity;
        this.container = container;
        this.command = List.copyOf(command);
        this.grace = grace;
        this.origin = origin;
        this.stdout = stdout;
        this.stderr = stderr;
        stdout.attach(this);
        stderr.attach(this);
    }

    /** An output that is not captured (adopted and escaped processes: their pipes, if any, are not ours). */
    static OutputBuffer uncaptured(String stream, ProcessIdentity identity, List<String> command) {
        return new OutputBuffer(stream + " of pid " + identity.pid() + " (" + String.join(" ", command) + ")",
                java.nio.charset.StandardCharsets.UTF_8, 1, false);
    }

    // ---------------------------------------------------------------- what it is

    public final long pid() {
        return identity.pid();
    }

    public final ProcessIdentity identity() {
        return identity;
    }

    public final List<String> command() {
        return command;
    }

    public final Origin origin() {
        return origin;
    }

    public final OutputBuffer stdout() {
        return stdout;
    }

    public final OutputBuffer stderr() {
        return stderr;
    }

    public abstract OutputStream stdin();

    /** True while the process runs; a zombie does not, a stopped process does. */
    public abstract boolean isAlive();

    /**
     * True when its container holds everything the process forked, wherever that moved since (a new
     * session, another group): it was in the container before it could fork unseen, and a cgroup's members
     * are born in it. Then the kernel's word that the scope's containers are empty proves that nothing of it
     * lives, without a look at the process table.
     */
    boolean containerHoldsAll() {
        return false;
    }

    public abstract List<ProcessInfo> descendants();

    public abstract long processGroup();

    public abstract boolean isProcessGroupLeader();

    public abstract Optional<ProcessHandle> toHandle();

    public abstract SignalDelivery signalDelivery();

    // ---------------------------------------------------------------- how it ended

    public Optional<ExitStatus> exitStatus() {
        return status.isDone() ? Optional.of(status.join()) : Optional.empty();
    }

    public final Optional<EndedBy> endedBy() {
        return Optional.ofNullable(endedBy);
    }

    public final Optional<Duration> terminationTime() {
        return Optional.ofNullable(terminationTime);
    }

    public final ExitStatus waitFor() throws InterruptedException {
        try {
            ended.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return knownStatus();
    }

    public final Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        checkTimeout(timeout);
        try {
            ended.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return Optional.of(knownStatus());
    }

    /** Completes with the status, on the common pool; exceptionally at the end when the status is unknowable. */
    public final CompletableFuture<ExitStatus> onExit() {
        if (!statusKnowable()) {
            // Completes (exceptionally) when the process ends, rather than never.
            return ended.thenApplyAsync(v -> {
                throw unknownStatus();
            });
        }
        return status.thenApplyAsync(s -> s);
    }

    /** The status of an ended process; throws {@link #unknownStatus()} when it cannot be had. */
    protected ExitStatus knownStatus() throws InterruptedException {
        if (status.isDone()) {
            return status.join();
        }
        throw unknownStatus();
    }

    /** False when only the process's parent, not this JVM, can ever read its exit status. */
    protected boolean statusKnowable() {
        return true;
    }

    /** Why the status of an ended process is unknown (only asked when it is). */
    protected String unknownStatusReason() {
        return "it is not this JVM's child";
    }

    protected final IllegalStateException unknownStatus() {
        return new IllegalStateException(this + " has ended, but its exit status is unknown: " + unknownStatusReason()
                + ". To wait for its end without the status, wait until isAlive() is false");
    }

    /**
     * The process itself has ended: records who ended it (the last signal sent with a cause, else
     * itself) and, when known, its status. Once only.
     */
    protected final void recordEnd(ExitStatus knownStatus) {
        if (ended.isDone()) {
            return;
        }
        EndedBy cause = lastCause;
        endedBy = cause == null ? EndedBy.ITSELF : cause;
        if (knownStatus != null) {
            status.complete(knownStatus);
        }
        ended.complete(null);
    }

    /** It and everything it answers for are gone: stamps the teardown time, then completes {@code gone}. */
    protected final void recordGone() {
        long start = terminationStart;
        if (start != 0 && terminationTime == null) {
            terminationTime = Duration.ofNanos(System.nanoTime() - start);
        }
        gone.complete(null);
    }

    // ---------------------------------------------------------------- signals

    /** Sends {@code signal} to this process only; true when delivered. */
    public final boolean signal(Signal signal) {
        Objects.requireNonNull(signal, "signal must not be null");
        noteCause(signal);
        return deliver(signal) == SignalResult.DELIVERED;
    }

    /** Delivers a signal to the process itself, safely (its gate or its pidfd). */
    protected abstract SignalResult deliver(Signal signal);

    /** Sends {@code signal} to the process's whole group; true when delivered. */
    public abstract boolean signalGroup(Signal signal);

    /**
     * Stops the process (and what it answers for): its container is frozen where it has one, which holds
     * every descendant, escaped ones too; else SIGSTOP.
     */
    public final void suspend() {
        checkSuspendable(Signal.STOP);
        if (container != null) {
            freeze(true);
        } else {
            sendToAll(Signal.STOP);
        }
    }

    /** Undoes {@link #suspend()}: thaws the container, else SIGCONT. */
    public final void resume() {
        checkSuspendable(Signal.CONT);
        if (container != null) {
            freeze(false);
        } else {
            sendToAll(Signal.CONT);
        }
    }

    /**
     * Throws, saying why and what to do instead, where the platform can neither freeze nor stop a process
     * ({@code signal} is the one suspend or resume would send).
     */
    protected void checkSuspendable(Signal signal) {
        // every process with a container or signals can be
    }

    private volatile boolean frozen;
    private volatile boolean containerLeftToScope;
    private final List<Runnable> heldReleases = new ArrayList<>(); // guarded by itself
    private boolean holdingReleases;  // guarded by heldReleases: during the scope's teardown
    private boolean releaseScheduled; // guarded by heldReleases

    private void freeze(boolean freeze) {
        if (isGone()) {
            return; // nothing left to stop, and its container is removed: a no-op, as a signal to it would be
        }
        try {
            boolean done = freeze ? container.freeze(FREEZE_WAIT) : container.thaw(FREEZE_WAIT);
            frozen = freeze;
            if (!done) {
                throw new IllegalStateException("Could not " + (freeze ? "freeze " : "thaw ") + this + " within "
                        + FREEZE_WAIT.toSeconds() + " s (a member in uninterruptible sleep?): " + container.location());
            }
        } catch (ContainerException e) {
            if (isGone()) {
                return; // it ended (and its container went) meanwhile
            }
            throw new IllegalStateException("Cannot " + (freeze ? "suspend " : "resume ") + this + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while " + (freeze ? "suspending " : "resuming ") + this, e);
        }
    }

    /**
     * The container's part of a teardown signal: a frozen process cannot act on SIGTERM, so SIGCONT thaws it;
     * SIGKILL reaches everything the container holds at once, escapees included.
     */
    protected final void sendToContainer(Signal signal) {
        if (container == null) {
            return;
        }
        try {
            if (signal == Signal.KILL) {
                container.killAll();
            } else if (signal == Signal.CONT && frozen) {
                container.thaw(FREEZE_WAIT);
                frozen = false;
            }
        } catch (ContainerException e) {
            // removed: nothing is left in it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Removes the (empty) container once the process is gone; one still holding escapees stays to the scope's
     * end. Not during its scope's teardown, which removes every container itself once it is over
     * ({@link #leaveReleasesToScope}).
     */
    protected final void releaseContainer() {
        if (!containerLeftToScope) {
            removeContainer();
        }
    }

    /**
     * The scope's teardown has begun: from now on its end, not this process's, removes the container and closes
     * the descriptors the process's end frees ({@link #release}). A cgroup's removal, or the close of a pipe or a
     * pidfd, costs the kernel tens of microseconds; four hundred of them on the reactor thread, between the exit
     * notices of a hundred dying groups, would delay the notices the teardown waits for (a fifth of the teardown of
     * a hundred groups, measured). Once it is over they cost nobody a wait.
     */
    final void leaveReleasesToScope() {
        containerLeftToScope = true;
        synchronized (heldReleases) {
            holdingReleases = true;
        }
    }

    /**
     * Runs {@code release} (the close of a descriptor the process no longer needs) now or, during its scope's
     * teardown, once the teardown is over ({@link #releaseWhenIdle}). On the thread that may run it now.
     */
    protected final void release(Runnable release) {
        synchronized (heldReleases) {
            if (holdingReleases) {
                heldReleases.add(release);
                return;
            }
        }
        release.run();
    }

    /**
     * After the scope's teardown (and, to be sure, when its close() ends however it ends): on the reactor thread,
     * when it has nothing else to do, runs the releases held back during the teardown and removes the container.
     * Once only; from then on a release runs at once.
     */
    final void releaseWhenIdle() {
        synchronized (heldReleases) {
            if (releaseScheduled) {
                return;
            }
            releaseScheduled = true;
            if (heldReleases.isEmpty() && container == null) {
                holdingReleases = false; // nothing to do on the reactor (a release from now on runs at once)
                return;
            }
        }
        Reactor.get().whenIdle(() -> {
            List<Runnable> held;
            synchronized (heldReleases) {
                holdingReleases = false;
                held = new ArrayList<>(heldReleases);
                heldReleases.clear();
            }
            RuntimeException failed = null;
            for (Runnable r : held) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    failed = e; // one failed close must not keep the others, or the container's removal, from happening
                }
            }
            removeContainer();
            if (failed != null) {
                throw failed; // the reactor logs it
            }
        });
    }

    private void removeContainer() {
        if (container != null) {
            try {
                container.remove();
            } catch (ContainerException e) {
                // populated (escapees live on in it) or gone: the scope's teardown removes it
            }
        }
    }

    /** The process's own container, or null. */
    public final Container container() {
        return container;
    }

    /** A signal from the caller: it is what ended the process, if it ends now. */
    protected final void noteCause(Signal signal) {
        if (!ended.isDone() && signal != Signal.CONT && signal != Signal.STOP) {
            lastCause = signal == Signal.KILL ? EndedBy.SIGKILL : EndedBy.SIGNAL;
        }
    }

    /**
     * Teardown's signal to everything the process answers for; {@code cause} (null for none, e.g. SIGCONT)
     * is what ended it, if it ends now.
     */
    @Override
    public final void send(Signal signal, EndedBy cause) {
        if (cause != null && !ended.isDone()) {
            lastCause = cause;
        }
        sendToAll(signal);
    }

    /** Sends {@code signal} to the process and everything it answers for (its group, its watched descendants). */
    protected abstract void sendToAll(Signal signal);

    public final ExitStatus terminate() {
        return terminate(grace);
    }

    public final ExitStatus terminate(Duration gracePeriod) {
        checkGracePeriod(gracePeriod);
        List<ProcessInfo> survivors = Terminator.terminate(os.table(), List.of(this), gracePeriod);
        if (!survivors.isEmpty()) {
            throw new SurvivorsException(Terminator.survivorsMessage("terminate() of " + this, survivors), survivors);
        }
        return statusAfterEnd();
    }

    public final ExitStatus kill() {
        List<ProcessInfo> survivors = Terminator.kill(os.table(), List.of(this));
        if (!survivors.isEmpty()) {
            throw new SurvivorsException(Terminator.survivorsMessage("kill() of " + this, survivors), survivors);
        }
        return statusAfterEnd();
    }

    /**
     * The status once the process is gone: where it can be known but is not yet (an adopted JDK
     * {@code Process}, whose reaper thread reports it a moment after the exit), waits for it as
     * {@link #knownStatus()} does; null where only the parent could read it.
     */
    private ExitStatus statusAfterEnd() {
        if (status.isDone() || !statusKnowable()) {
            return status.getNow(null);
        }
        try {
            return knownStatus();
        } catch (IllegalStateException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return status.getNow(null);
        }
    }

    // ---------------------------------------------------------------- Terminator.Target and teardown

    @Override
    public final boolean isGone() {
        return gone.isDone();
    }

    @Override
    public final CompletableFuture<Void> gone() {
        return gone;
    }

    @Override
    public final void beginTermination(long startNanos) {
        if (terminationStart == 0) {
            terminationStart = startNanos;
        }
    }

    /**
     * After the scope's teardown, when every process of the scope is gone (so every re-parenting has
     * happened): release what the process still holds (its pipes) and reap what became this JVM's. The
     * future completes when that is done.
     */
    public CompletableFuture<Void> afterTeardown() {
        return DONE;
    }

    /**
     * The process group this process keeps ours while it is not gone (a spawned leader, held unreaped),
     * or -1: members of that group are the scope's, not escapees.
     */
    public long heldGroup() {
        return -1;
    }

    /**
     * True when {@code process} is one this process answers for beyond itself and its held group: a descendant the
     * scope will end although no group says so (the portable platform, which has no process groups). The leak
     * detector leaves such a process to the live scope.
     */
    public boolean answersFor(ProcStat process) {
        return false;
    }

    /** What teardown did to it. */
    final TeardownEntry entry(boolean leftover, boolean survived, String containment) {
        return new TeardownEntry(pid(), command, origin, leftover,
                survived ? null : endedBy().orElse(EndedBy.ITSELF), exitStatus().orElse(null),
                terminationTime, survived, containment);
    }

    public final Duration grace() {
        return grace;
    }

    // ---------------------------------------------------------------- argument checks

    static void checkTimeout(Duration timeout) {
        requireNonNegative(timeout, "timeout must not be null: pass a Duration, e.g. Duration.ofSeconds(10)"
                + " (Duration.ZERO checks without waiting), or call waitFor() to wait without a limit",
                "timeout must not be negative but was " + timeout + ": use Duration.ZERO to check without waiting");
    }

    static void checkGracePeriod(Duration gracePeriod) {
        requireNonNegative(gracePeriod, "gracePeriod must not be null: pass a Duration, e.g. Duration.ofSeconds(2),"
                + " or call terminate() for the scope's grace period", "gracePeriod must not be negative but was "
                + gracePeriod + ": use Duration.ZERO to send SIGKILL right after SIGTERM, or kill() to send SIGKILL alone");
    }

    private static void requireNonNegative(Duration duration, String ifNull, String ifNegative) {
        if (duration == null) {
            throw new NullPointerException(ifNull);
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException(ifNegative);
        }
    }

    @Override
    public String toString() {
        return "pid " + pid() + " (" + String.join(" ", command) + ")";
    }
}
