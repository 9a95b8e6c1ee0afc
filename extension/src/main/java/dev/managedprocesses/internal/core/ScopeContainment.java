package dev.managedprocesses.internal.core;

import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.ContainerException;
import dev.managedprocesses.internal.os.Containment;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTable;
import dev.managedprocesses.internal.safety.OrphanReaper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How one scope holds its processes, so that teardown finds every one of them, whatever they did to their
 * process group, session, environment or title, and never signals anything else. Two mechanisms, chosen per
 * JVM ({@link ContainmentMode}, the platform, and what the machine allows):
 * <ul>
 *   <li>{@link CgroupScope}: a cgroup per scope and one per process below it. Membership decides: the
 *       kernel lists the members, kills them all at once and says when none is left. A stranger that
 *       merely copied a scope's environment is never a member.</li>
 *   <li>{@link PortableScope} on the portable platform: each process answers for the descendants the JDK
 *       shows it ({@code ProcessHandle}); nothing else holds them.</li>
 *   <li>{@link LineageScope}, where cgroups cannot be created: the process groups, plus three layers that
 *       find what left them: the scope's cookie in the environment, an inheritable marker that survives
 *       environment wiping and process titles (the soft RLIMIT_RTTIME limit), and lineage (parent
 *       chains from the scope's groups).</li>
 * </ul>
 */
abstract class ScopeContainment {
    private static volatile String announced;

    /** The mechanism for a new scope; the first call in a JVM states it on one line. */
    static ScopeContainment forScope(Os os, String scopeId, String cookie) {
        ContainmentMode mode = ContainmentMode.current();
        Containment containment = ContainmentMode.containment(os);
        ScopeContainment chosen;
        if (os.portable()) {
            if (mode == ContainmentMode.REQUIRED) {
                throw new IllegalStateException("Cannot contain processes in cgroups, and " + ContainmentMode.KEY
                        + "=required: " + containment.describe() + ". Run on the linux platform (as root, or with "
                        + "a delegated cgroup subtree), or set " + ContainmentMode.KEY + "=auto");
            }
            chosen = new PortableScope();
        } else if (mode != ContainmentMode.OFF && containment.available()) {
            chosen = new CgroupScope(os, containment, scopeId);
        } else if (mode == ContainmentMode.REQUIRED) {
            throw new IllegalStateException("Cannot contain processes in cgroups, and " + ContainmentMode.KEY
                    + "=required: " + containment.describe());
        } else {
            chosen = new LineageScope(os, cookie);
        }
        if (announced == null) {
            announce(ContainmentMode.describe(os)); // describing reads /proc: once per JVM, not per scope
        }
        return chosen;
    }

    /** What the JVM's scopes use, as stated once per run: the mechanism, or why cgroups are not used. */
    static String announced() {
        return announced;
    }

    private static void announce(String line) {
        if (announced == null) {
            synchronized (ScopeContainment.class) {
                if (announced == null) {
                    announced = line;
                    System.err.println("managed-processes: containment: " + line);
                }
            }
        }
    }

    /** A few words for records: {@code cgroup v2} or {@code process groups, marker and lineage}. */
    abstract String mechanism();

    /** Before a spawn: the container the child is to be started in (its own, in cgroup mode), or null. */
    abstract Container containerForSpawn() throws ContainerException;

    /** The inheritable marker every process of the scope carries, or 0. */
    abstract long marker();

    /**
     * Right after a spawn (the child is placed or marked by now): what the child forked in the moment between
     * its exec and its placement was born outside and unmarked; catch up on it. See {@link #claimBornInTheWindow}.
     *
     * @return true when everything the child forked before its placement is in {@code container} too, so that
     *     the kernel's word that the container is empty proves the child's process group empty (no scan of the
     *     process table needed before its leader is reaped); false when that cannot be known
     */
    abstract boolean afterSpawn(long childPid, Container container);

    /**
     * Between the marker and a placement that may take milliseconds (cgroup mode, where the child is moved
     * after its spawn): marks what the child forked before its marker while the child, its group and its
     * parent chain still lead to it; {@link #afterSpawn} then places it. Nothing by default.
     */
    void afterMarked(long childPid) {
    }

    /**
     * Claims the processes the child {@code childPid} forked before it was placed or marked: the kernel hands
     * out pids in order, so they lie after the child's pid, up to the most recently allocated one (usually
     * none: then this costs one read of {@code /proc/loadavg}). Among those, the child's own are its
     * descendants (parent chain), members of its process group, carriers of the scope's marker or of its
     * birth mark (which the child had from its first instruction, so even what it forked before the marker
     * was set has it), or (with {@code cookie} non-null) of its cookie: born within that moment, none of
     * them is a stranger's.
     *
     * <p>{@code claim} (which marks, and places) runs on each at once, and the look repeats over the pids
     * allocated meanwhile until one finds nothing new: a process claimed here may have forked before its
     * claim, and that fork's pid is allocated by then, so the next look covers it. A pid allocated but not
     * yet in {@code /proc} (a fork in flight) gets one more look.
     *
     * @return true when the last look found nothing new (every process born in the window was claimed); false
     *     when the look gave up (its limits reached, or the most recent pid unreadable)
     */
    static boolean claimBornInTheWindow(Os os, long childPid, long marker, String cookie, Consumer<ProcStat> claim) {
        ProcessTable table = os.table();
        long max = table.pidMax();
        long from = childPid;                 // looked at up to here
        long budget = WINDOW_LIMIT;
        Set<Long> absent = new HashSet<>();   // allocated, not in /proc at the first look
        Set<Long> claimed = new HashSet<>();
        for (int round = 0; round < WINDOW_ROUNDS; round++) {
            long last = table.lastAllocatedPid();
            if (last < 0) {
                return false;
            }
            long allocated = Math.floorMod(last - from, max);
            long range = Math.min(allocated, budget);
            if (range == 0 && absent.isEmpty()) {
                return allocated == 0; // nothing new, unless the budget is spent
            }
            Set<Long> again = new HashSet<>(absent); // a pid is looked for twice at most
            List<Long> look = new ArrayList<>(again);
            absent.clear();
            for (long k = 1; k <= range; k++) {
                look.add(from + k > max ? from + k - max : from + k);
            }
            from = from + range > max ? from + range - max : from + range;
            budget -= range;
            boolean found = false;
            for (long pid : look) {
                Optional<ProcStat> s = table.stat(pid);
                if (s.isEmpty()) {
                    if (!again.contains(pid)) {
                        absent.add(pid);
                    }
                    continue;
                }
                if (s.get().isGone() || !table.isProcess(pid) || claimed.contains(pid)) {
                    continue;
                }
                if (s.get().pgid() == childPid || descendsFrom(table, s.get(), childPid) || carries(table, pid, marker)
                        || (marker != 0 && table.carriesBirthMark(pid, marker))
                        || (cookie != null && table.environmentContains(pid, cookie))) {
                    claimed.add(pid);
                    claim.accept(s.get());
                    found = true;
                }
            }
            if (!found && absent.isEmpty()) {
                return allocated == range; // settled, unless the budget cut this look short
            }
        }
        return false;
    }

    /** At most this many pids after a child are looked at (a machine forking thousands per spawn is rare). */
    private static final long WINDOW_LIMIT = 1024;
    /** At most this many looks after one spawn. */
    private static final int WINDOW_ROUNDS = 16;

    /**
     * Whether {@code pid} carries the scope's marks (never for a {@code marker} of 0): its marker, or, when it
     * carries no marker at all, its birth mark. The second is for one race the window's look cannot close: a
     * fork the child began before its marker was set copies the unmarked limits at once but gets its pid only
     * later (after copying the address space), so the look may see no new pid yet; what it forks inherits
     * the birth mark alone. A stranger matches only by starting after the scope's first process (the callers
     * check) with no marker and this scope's exact timer slack, one of 49,999 values no default has.
     */
    static boolean carries(ProcessTable table, long pid, long marker) {
        if (marker == 0) {
            return false;
        }
        java.util.OptionalLong m = table.marker(pid);
        if (m.isPresent()) {
            return m.getAsLong() == marker;
        }
        return table.carriesBirthMark(pid, marker);
    }

    private static boolean descendsFrom(ProcessTable table, ProcStat s, long ancestor) {
        long ppid = s.ppid();
        for (int depth = 0; depth < 64 && ppid > 1; depth++) {
            if (ppid == ancestor) {
                return true;
            }
            Optional<ProcStat> parent = table.stat(ppid);
            if (parent.isEmpty()) {
                return false;
            }
            ppid = parent.get().ppid();
        }
        return false;
    }

    /**
     * What the scope's live targets answer for, from which a stray search starts: the groups whose leaders are
     * unreaped (their ids are ours), each target as {@code pid:startTime}, and the adopted processes' pids.
     */
    record Known(Set<Long> groups, Set<String> tracked, Set<Long> adopted) {

        static Known of(List<TrackedProcess> known) {
            Set<Long> groups = new HashSet<>();
            Set<String> tracked = new HashSet<>();
            Set<Long> adopted = new HashSet<>();
            for (TrackedProcess t : known) {
                if (t.isGone()) {
                    continue;
                }
                tracked.add(t.pid() + ":" + t.identity().startTime());
                if (t.heldGroup() > 0) {
                    groups.add(t.heldGroup());
                }
                if (t.origin() == TrackedProcess.Origin.ADOPTED) {
                    adopted.add(t.pid());
                }
            }
            return new Known(groups, tracked, adopted);
        }

        /**
         * Whether {@code s} may be a stray at all: alive, born since {@code threshold}, not the JVM ({@code self}),
         * in no group a target holds, and not a target itself.
         */
        boolean mayBeStray(ProcStat s, long threshold, long self) {
            return !s.isGone() && s.startTime() >= threshold && s.pid() != self && !groups.contains(s.pgid())
                    && !tracked.contains(s.pid() + ":" + s.startTime());
        }
    }

    /** Adoption: the process (and its current descendants) placed or marked; its container, or null. */
    abstract Container adopt(long pid, long startTime) throws ContainerException;

    /**
     * Processes of the scope that none of {@code known} answers for (escaped descendants), in {@code snapshot}.
     *
     * @param threshold the start time of the scope's first process: nothing older can be the scope's
     */
    abstract List<ProcStat> strays(List<TrackedProcess> known, List<ProcStat> snapshot, long threshold);

    /** A teardown target for what no tracked process answers for (the kernel's kill of the whole scope), or null. */
    abstract Terminator.Target target();

    /**
     * After teardown: reaps the zombie children of the JVM in {@code snapshot} that the mechanism proves were
     * the scope's (orphans re-parented to the JVM, a subreaper, that no tracked process reaps: the middle
     * process of a double fork, which dies at once, is the usual one), except {@code notOurs} (adopted
     * processes, whose status may be the JDK's). No child the JDK started is a member or carries the marker.
     */
    void reapOrphans(Os os, List<ProcStat> snapshot, Set<Long> notOurs) {
        long self = os.table().selfPid();
        for (ProcStat s : snapshot) {
            if (s.isZombie() && s.ppid() == self && !notOurs.contains(s.pid()) && owns(s)) {
                OrphanReaper.reapProven(os, s);
            }
        }
    }

    /**
     * Whether the kernel says, at this moment, that nothing lives in the scope's containers (false where it
     * cannot say: no containers, or cgroups off). True completes {@link #target()}'s {@code gone()} too.
     */
    boolean provenEmpty() {
        return false;
    }

    /**
     * Whether a process outside the scope's containers, where the scope's children are born, carries the scope's
     * marks: one its processes forked in the moment before their moves that the look after the move missed.
     * Only processes born since the scope's first process ({@code firstPid}, {@code firstStartTicks}) count.
     * False where there are no containers (the look finds such processes anyway).
     */
    boolean marksOutside(long firstPid, long firstStartTicks) {
        return false;
    }

    /** Whether the scope owns {@code process} by its mechanism (membership, or marker and cookie). */
    abstract boolean owns(ProcStat process);

    /** After teardown: releases what the mechanism holds (removes the scope's cgroups). */
    abstract void close();
}
