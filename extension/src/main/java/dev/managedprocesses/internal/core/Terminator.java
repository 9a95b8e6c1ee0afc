package dev.managedprocesses.internal.core;

import dev.managedprocesses.EndedBy;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTable;
import dev.managedprocesses.internal.os.ProcessTree;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one TERM, grace, KILL engine: a scope's teardown, {@code terminate()}/{@code kill()} of a single
 * process and the leak detector's kill mode all end their targets here. SIGTERM (+SIGCONT) to each, a
 * wait of up to the grace period for all of them (woken by the kernel, not polled), SIGKILL to what is
 * left, a second wait, and the survivors named. What a target is (a group we lead, a pinned process and
 * its descendants) and how it is signalled safely is the target's business. A {@link Sweep} adds what only
 * a look finds once the known targets have had SIGTERM, each with a grace period from its own SIGTERM.
 */
public final class Terminator {
    /** How long to wait after SIGKILL before calling a process a survivor. */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private Terminator() {
    }

    /** Something that can be ended as a unit: a process group, or a single tracked process. */
    public interface Target {
        /** True once the target and everything it answers for are gone. */
        boolean isGone();

        /** Completes when {@link #isGone()} turns true. */
        CompletableFuture<Void> gone();

        /**
         * Starts watching the target's members so {@link #gone()} completes as soon as all are dead; the
         * future completes when signals may be sent (the members a signal must also reach are known).
         */
        CompletableFuture<Void> watch();

        /** Sends the signal to the whole target; {@code cause} is what its record will say ended it (null: none). */
        void send(Signal signal, EndedBy cause);

        /** Live processes that belong to the target in this snapshot. */
        List<ProcStat> members(List<ProcStat> snapshot);

        /** Teardown of this target began at {@code startNanos}; it records its duration when it is gone. */
        void beginTermination(long startNanos);
    }

    /**
     * What else may have to be ended besides the targets a teardown knows, found only once those have had
     * SIGTERM: where the kernel can prove that nothing else lives (a cgroup that holds everything), the
     * look for it is then not needed at all.
     */
    public interface Sweep {
        /**
         * Called once, when every known target is gone, {@link #ready()} has completed or {@link #SWEEP_AFTER}
         * has passed, whichever is first: the further targets to end (none when nothing else lives).
         */
        List<? extends Target> more();

        /**
         * Completes when the sweep may run before every known target is gone: where the kernel has proven that
         * nothing the targets answer for lives, their reaps need not be waited for first, and the sweep's own
         * checks overlap them. Null (the default): only once they are gone.
         */
        default CompletableFuture<?> ready() {
            return null;
        }
    }

    /**
     * How long the known targets may take to end before a {@link Sweep} looks for the rest anyway: what it
     * finds gets SIGTERM at most this much later than they did.
     */
    static final Duration SWEEP_AFTER = Duration.ofMillis(50);

    /** Ends every target; returns the survivors (empty when everything is gone). */
    public static List<ProcessInfo> terminate(ProcessTable table, List<? extends Target> targets, Duration grace) {
        return end(table, targets, grace, true, null);
    }

    /**
     * As {@link #terminate(ProcessTable, List, Duration)}, and ends what {@code sweep} (null: none) finds after
     * the first signals.
     */
    public static List<ProcessInfo> terminate(ProcessTable table, List<? extends Target> targets, Duration grace,
            Sweep sweep) {
        return end(table, targets, grace, true, sweep);
    }

    /** SIGKILL to every target at once (no SIGTERM first), then the same wait and survivor check. */
    public static List<ProcessInfo> kill(ProcessTable table, List<? extends Target> targets) {
        return end(table, targets, Duration.ZERO, false, null);
    }

    private static List<ProcessInfo> end(ProcessTable table, List<? extends Target> targets, Duration grace,
            boolean termFirst, Sweep sweep) {
        long start = System.nanoTime();
        List<Target> live = new ArrayList<>();
        for (Target t : targets) {
            if (!t.isGone()) {
                live.add(t);
            }
        }
        if (live.isEmpty() && sweep == null) {
            return List.of();
        }
        watchAll(live, start);
        boolean interrupted = false;
        List<Target> left = live;
        if (termFirst) {
            sendTerm(live);
            if (sweep != null) {
                interrupted = !await(live, sweep.ready(), SWEEP_AFTER.compareTo(grace) < 0 ? SWEEP_AFTER : grace);
                List<Target> more = new ArrayList<>();
                for (Target t : sweep.more()) {
                    if (!t.isGone()) {
                        more.add(t);
                    }
                }
                watchAll(more, start);
                sendTerm(more);
                live.addAll(more);
                if (interrupted) {
                    grace = Duration.ZERO;
                } // else what the sweep found gets the whole grace period from its own SIGTERM
            }
            interrupted |= !await(live, grace);
            left = new ArrayList<>();
            for (Target t : live) {
                if (!t.isGone()) {
                    left.add(t);
                }
            }
        }
        for (Target t : left) {
            t.send(Signal.KILL, EndedBy.SIGKILL);
        }
        if (!left.isEmpty()) {
            interrupted |= !await(left, KILL_WAIT);
        }
        List<ProcessInfo> survivors = survivors(table, live);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return survivors;
    }

    private static void sendTerm(List<Target> targets) {
        for (Target t : targets) {
            t.send(Signal.TERM, EndedBy.SIGTERM);
            t.send(Signal.CONT, null); // a stopped process only acts on SIGTERM once continued
        }
    }

    /** What is still alive of the targets that are not gone, from one fresh snapshot (none when all are gone). */
    static List<ProcessInfo> survivors(ProcessTable table, List<? extends Target> targets) {
        List<ProcessInfo> survivors = new ArrayList<>();
        List<ProcStat> snapshot = null;
        for (Target t : targets) {
            if (!t.isGone()) {
                if (snapshot == null) {
                    snapshot = table.snapshot();
                }
                for (ProcStat s : t.members(snapshot)) {
                    table.describe(s).ifPresent(survivors::add);
                }
            }
        }
        return survivors;
    }

    /** Starts watching every target at once, then waits until each may be signalled. */
    private static void watchAll(List<Target> live, long start) {
        List<CompletableFuture<Void>> watching = new ArrayList<>(live.size());
        for (Target t : live) {
            t.beginTermination(start);
            watching.add(t.watch());
        }
        for (CompletableFuture<Void> w : watching) {
            if (!w.isDone()) {
                w.join();
            }
        }
    }

    /** Waits for all targets; false if interrupted. */
    private static boolean await(List<Target> targets, Duration timeout) {
        return await(targets, null, timeout);
    }

    /** Waits for all targets, or for {@code orReady} (null: none) if it completes first; false if interrupted. */
    private static boolean await(List<Target> targets, CompletableFuture<?> orReady, Duration timeout) {
        List<CompletableFuture<Void>> gone = new ArrayList<>(targets.size());
        for (Target t : targets) {
            gone.add(t.gone());
        }
        try {
            BoundedWait.allOrReady(gone, orReady, timeout.toNanos());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * The message of a scope teardown that did not end cleanly: the survivors of SIGKILL, and the processes
     * that kept replacing themselves through every round and had to be ended with SIGKILL at the last.
     */
    public static String teardownFailure(String what, List<ProcessInfo> survivors, List<ProcessInfo> respawners) {
        StringBuilder sb = new StringBuilder();
        if (!survivors.isEmpty()) {
            sb.append(survivorsMessage(what, survivors));
        }
        if (!respawners.isEmpty()) {
            sb.append(sb.length() == 0 ? what + ": " : "\n").append(respawners.size())
                    .append(respawners.size() == 1 ? " process" : " processes")
                    .append(" kept escaping its group, a new one for every round of teardown, and was ended with SIGKILL "
                            + "after the last round, without a grace period (a process that replaces itself on SIGTERM, "
                            + "or something outside the scope starting processes into it):")
                    .append(ProcessTree.render(respawners));
        }
        return sb.toString();
    }

    /** The message of a {@code SurvivorsException}: what was being ended, and the survivors' tree. */
    public static String survivorsMessage(String what, List<ProcessInfo> survivors) {
        StringBuilder sb = new StringBuilder(what).append(": ").append(survivors.size())
                .append(survivors.size() == 1 ? " process" : " processes")
                .append(" still alive after SIGTERM, the grace period and SIGKILL (uninterruptible sleep, "
                        + "another user's process, a process outside this library's control, or descendants that "
                        + "kept escaping their groups faster than they could be ended):");
        sb.append(ProcessTree.render(survivors));
        return sb.toString();
    }
}
