package dev.managedprocesses.internal.core;

import dev.managedprocesses.EndedBy;
import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.ContainerException;
import dev.managedprocesses.internal.os.Containment;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTable;
import dev.managedprocesses.internal.os.ProcessTree;
import dev.managedprocesses.internal.reactor.Reactor;
import dev.managedprocesses.internal.safety.ProtectedProcesses;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Containment by cgroup v2: the scope has a cgroup, created with its first process, and each process it
 * starts or adopts a cgroup of its own below it (so {@code suspend()} can freeze one process with all it
 * forked). Whatever a member does, its descendants are born inside; membership, not an environment
 * variable, decides what is the scope's, so a stranger with a copied cookie is never touched.
 *
 * <p>The one gap: where glibc cannot place a child in its cgroup at birth (before 2.39), it is moved right
 * after the spawn, and a move can wait a kernel grace period (milliseconds). The child gets the scope's
 * marker first (an inheritable resource limit, set microseconds after the exec, that copying an
 * environment cannot forge); what it forks before the move carries the marker and is moved in right after
 * ({@link #afterSpawn}), and teardown looks for marker carriers too. Teardown
 * ends the members it knows with SIGTERM, waits the grace period for the cgroup to empty (woken by the
 * kernel's {@code cgroup.events}), and then kills whatever is left at once ({@code cgroup.kill}).
 */
final class CgroupScope extends ScopeContainment {
    private final Os os;
    private final Containment containment;
    private final String name;
    private final long marker;
    private final boolean placedAtBirth;
    private final boolean birthMarked;
    private final AtomicLong children = new AtomicLong();
    private volatile Container scope; // created with the first process
    private ScopeTarget target;       // guarded by this

    CgroupScope(Os os, Containment containment, String scopeId) {
        this.os = os;
        this.containment = containment;
        this.name = "s-" + scopeId;
        this.marker = os.control().newMarker();
        this.placedAtBirth = containment.placesAtBirth();
        this.birthMarked = os.table().birthMarkProblem() == null;
    }

    private Container scope() throws ContainerException {
        Container c = scope;
        if (c == null) {
            synchronized (this) {
                c = scope;
                if (c == null) {
                    c = containment.create(name);
                    scope = c;
                }
            }
        }
        return c;
    }

    @Override
    String mechanism() {
        return "cgroup v2";
    }

    @Override
    Container containerForSpawn() throws ContainerException {
        return scope().child("p" + children.incrementAndGet());
    }

    @Override
    long marker() {
        return marker;
    }

    @Override
    void afterMarked(long childPid) {
        claimBornInTheWindow(os, childPid, marker, null, s -> os.control().mark(s.pid(), marker));
    }

    @Override
    boolean afterSpawn(long childPid, Container container) {
        boolean[] allIn = {true};
        Container whole = scope;
        boolean settled = claimBornInTheWindow(os, childPid, marker, null, s -> {
            if (whole != null && whole.contains(s.pid())) {
                // Already in the scope's cgroup: forked there by a process of an earlier spawn of this scope (it
                // carries the same marker), after that one's move. A move would take it out of its own group's
                // cgroup, whose emptiness must prove that group's.
                return;
            }
            os.control().mark(s.pid(), marker); // first: what it forks from now on carries the marker
            try {
                container.adopt(s.pid(), s.startTime(), p -> ProtectedProcesses.reason(os.table(), p));
            } catch (ContainerException | IllegalArgumentException e) {
                allIn[0] = false; // gone meanwhile, or not movable: the marker still names it to the teardown
            }
        });
        // Whether the window's look can have missed nothing: placed at birth there is no window; else a fork
        // in flight during the look is caught only by the birth mark, which must be readable.
        return container != null && allIn[0] && (placedAtBirth || (settled && birthMarked));
    }

    @Override
    Container adopt(long pid, long startTime) throws ContainerException {
        Container own = scope().child("a" + children.incrementAndGet());
        try {
            own.adopt(pid, startTime, p -> ProtectedProcesses.reason(os.table(), p));
        } catch (ContainerException | RuntimeException e) {
            removeQuietly(own);
            throw e;
        }
        return own;
    }

    @Override
    List<ProcStat> strays(List<TrackedProcess> known, List<ProcStat> snapshot, long threshold) {
        Container c = scope;
        if (c == null) {
            return List.of();
        }
        Known k = Known.of(known);
        // An adopted process answers for its own descendants (it watches them): they are no strays.
        Set<Long> answered = new HashSet<>();
        for (ProcStat d : ProcessTree.descendants(snapshot, k.adopted(), Set.of())) {
            answered.add(d.pid());
        }
        // Only what no tracked group answers for is looked at closely (usually a handful of processes, not
        // one cgroup.procs per member cgroup): a member of the scope's cgroup tree, or, for what a child
        // forked in the moment before it was moved in, a carrier of the scope's marker (set first,
        // microseconds after the exec), which no stranger has. A member born after the snapshot is found
        // by the next round's look, and cgroup.kill reaches it in any case.
        // A member of a group that ended is no stray while it is still exiting: its leader, reaped once the
        // group's cgroup was empty, took the group id with it, but the kernel has already taken it off the
        // cgroup's list of live members (the snapshot still shows it running).
        List<ProcStat> out = new ArrayList<>();
        long self = os.table().selfPid();
        for (ProcStat s : snapshot) {
            if (k.mayBeStray(s, threshold, self) && !answered.contains(s.pid())
                    && (c.listsLive(s.pid()) || (!c.contains(s.pid()) && carries(os.table(), s.pid(), marker)))) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    synchronized Terminator.Target target() {
        if (scope == null) {
            return null;
        }
        if (target == null) {
            target = new ScopeTarget(scope);
        }
        return target;
    }

    @Override
    boolean provenEmpty() {
        ScopeTarget t;
        synchronized (this) {
            t = target;
        }
        return t != null && t.emptyNow();
    }

    /** After a cgroup kill, what it ended may be the JVM's zombies too: a fresh look finds them. */
    @Override
    void reapOrphans(Os os, List<ProcStat> snapshot, Set<Long> notOurs) {
        ScopeTarget t;
        synchronized (this) {
            t = target;
        }
        super.reapOrphans(os, t != null && t.killed ? os.table().snapshot() : snapshot, notOurs);
    }

    /**
     * One read of the JVM's own cgroup's {@code cgroup.procs}: where a child of this JVM is born, and where a
     * process it forked before its move into its cgroup stays if the look after the move missed it. Only those
     * allocated since the scope's first pid are read further. A teardown that trusts the scope's cgroup to
     * hold everything asks this before it skips its look at the process table.
     */
    @Override
    boolean marksOutside(long firstPid, long firstStartTicks) {
        if (firstPid <= 0) {
            return false;
        }
        ProcessTable table = os.table();
        long last = table.lastAllocatedPid();
        if (last < 0) {
            return true; // cannot tell: let the teardown look
        }
        long max = table.pidMax();
        long span = Math.floorMod(last - firstPid, max);
        long self = table.selfPid();
        Optional<Set<Long>> born = containment.bornHere();
        if (born.isEmpty()) {
            return true; // unreadable: let the teardown look
        }
        for (long pid : born.get()) {
            if (pid == self || Math.floorMod(pid - firstPid, max) > span) {
                continue; // this JVM, or a pid allocated before the scope's first process
            }
            Optional<ProcStat> s = table.stat(pid);
            if (s.isPresent() && !s.get().isGone() && s.get().startTime() >= firstStartTicks
                    && carries(table, pid, marker)) {
                return true;
            }
        }
        return false;
    }

    @Override
    boolean owns(ProcStat process) {
        Container c = scope;
        return (c != null && c.contains(process.pid())) || carries(os.table(), process.pid(), marker);
    }

    /** Removes the scope's cgroup once the reactor is idle: after its processes' own, which are removed so too. */
    @Override
    void close() {
        Container c = scope;
        if (c != null) {
            Reactor.get().whenIdle(() -> removeQuietly(c));
        }
    }

    private static void removeQuietly(Container c) {
        try {
            c.remove();
        } catch (ContainerException e) {
            // still populated (a survivor, named by teardown) or already gone: the next JVM's cleanup removes it
        }
    }

    /**
     * The whole scope as one teardown target: gone when the kernel says its cgroup is empty (woken through
     * {@code cgroup.events}, no process-table scan), and ended, at the SIGKILL step, by {@code cgroup.kill},
     * which reaches members forked too late for any snapshot.
     */
    static final class ScopeTarget implements Terminator.Target {
        private static final CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);
        private final Container container;
        private final CompletableFuture<Void> gone = new CompletableFuture<>();
        private boolean watching; // guarded by this
        private volatile boolean killed;

        ScopeTarget(Container container) {
            this.container = container;
        }

        @Override
        public boolean isGone() {
            return gone.isDone();
        }

        @Override
        public CompletableFuture<Void> gone() {
            return gone;
        }

        @Override
        public synchronized CompletableFuture<Void> watch() {
            if (watching || gone.isDone()) {
                return READY;
            }
            watching = true;
            ContainerEmptiness.await(Reactor.get(), container, () -> gone.complete(null));
            return READY;
        }

        /** Asks the kernel now (not waiting for the notification); empty completes {@code gone}. */
        boolean emptyNow() {
            if (gone.isDone()) {
                return true;
            }
            try {
                if (container.populated()) {
                    return false;
                }
            } catch (ContainerException e) {
                // removed: nothing can be in it
            }
            gone.complete(null);
            return true;
        }

        @Override
        public void send(Signal signal, EndedBy cause) {
            if (signal == Signal.KILL) {
                killed = true;
                try {
                    container.killAll();
                } catch (ContainerException e) {
                    // removed meanwhile: nothing left to kill
                }
            }
            // SIGTERM and SIGCONT reach the members the scope tracks; the cgroup has no "signal all" but kill
        }

        @Override
        public List<ProcStat> members(List<ProcStat> snapshot) {
            Set<Long> pids;
            try {
                pids = container.members();
            } catch (ContainerException e) {
                return List.of();
            }
            List<ProcStat> out = new ArrayList<>();
            for (ProcStat s : snapshot) {
                if (pids.contains(s.pid()) && !s.isGone()) {
                    out.add(s);
                }
            }
            return out;
        }

        @Override
        public void beginTermination(long startNanos) {
            // the scope's record is its processes' records
        }
    }
}
