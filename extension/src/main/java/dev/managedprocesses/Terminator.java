package dev.managedprocesses;

import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.internal.os.ProcStat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ends a set of processes the way a scope's teardown does: SIGTERM (+SIGCONT) to each, wait up to
 * the grace period for all of them (woken by the kernel, not polled), SIGKILL what is left, wait
 * again, and name whatever survived.
 */
final class Terminator {
    /** How long to wait after SIGKILL before calling a process a survivor. */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private Terminator() {
    }

    /** Something that can be ended as a unit: a process group, or a single tracked process. */
    interface Target {
        boolean isGone();

        CompletableFuture<Void> gone();

        /**
         * Starts watching the target's members so {@link #gone()} completes as soon as all are dead; the
         * future completes when signals may be sent (the members a signal must also reach are known).
         */
        CompletableFuture<Void> watch();

        /** Sends the signal to the whole target; {@code cause} is what its record will say ended it. */
        void send(Signal signal, EndedBy cause);

        /** Live processes that belong to the target in this snapshot. */
        List<ProcStat> members(List<ProcStat> snapshot);

        /** Teardown of this target began at {@code startNanos}; it records its duration when it is gone. */
        void beginTermination(long startNanos);
    }

    /** Ends every target; returns the survivors (empty when everything is gone). */
    static List<ProcessInfo> terminate(OsProcesses os, List<? extends Target> targets, Duration grace) {
        long start = System.nanoTime();
        List<Target> live = new ArrayList<>();
        for (Target t : targets) {
            if (!t.isGone()) {
                live.add(t);
            }
        }
        if (live.isEmpty()) {
            return List.of();
        }
        watchAll(live, start);
        for (Target t : live) {
            t.send(Signal.TERM, EndedBy.SIGTERM);
            t.send(Signal.CONT, null); // a stopped process only acts on SIGTERM once continued
        }
        boolean interrupted = !await(live, grace);
        List<Target> left = new ArrayList<>();
        for (Target t : live) {
            if (!t.isGone()) {
                left.add(t);
            }
        }
        for (Target t : left) {
            t.send(Signal.KILL, EndedBy.SIGKILL);
        }
        if (!left.isEmpty()) {
            interrupted |= !await(left, KILL_WAIT);
        }
        List<ProcessInfo> survivors = new ArrayList<>();
        List<ProcStat> snapshot = null;
        for (Target t : live) {
            if (!t.isGone()) {
                if (snapshot == null) {
                    snapshot = os.snapshot();
                }
                for (ProcStat s : t.members(snapshot)) {
                    os.describe(s).ifPresent(survivors::add);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return survivors;
    }

    /** SIGKILL to every target at once (no SIGTERM first), then the same wait and survivor check. */
    static List<ProcessInfo> kill(OsProcesses os, List<? extends Target> targets) {
        long start = System.nanoTime();
        List<Target> live = new ArrayList<>();
        for (Target t : targets) {
            if (!t.isGone()) {
                live.add(t);
            }
        }
        watchAll(live, start);
        for (Target t : live) {
            t.send(Signal.KILL, EndedBy.SIGKILL);
        }
        boolean interrupted = !live.isEmpty() && !await(live, KILL_WAIT);
        List<ProcessInfo> survivors = new ArrayList<>();
        List<ProcStat> snapshot = null;
        for (Target t : live) {
            if (!t.isGone()) {
                snapshot = snapshot == null ? os.snapshot() : snapshot;
                for (ProcStat s : t.members(snapshot)) {
                    os.describe(s).ifPresent(survivors::add);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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
        CompletableFuture<?>[] futures = targets.stream().map(Target::gone).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(futures).get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return true;
        } catch (InterruptedException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
        return true;
    }

    static String survivorsMessage(String what, List<ProcessInfo> survivors) {
        StringBuilder sb = new StringBuilder(what).append(": ").append(survivors.size())
                .append(survivors.size() == 1 ? " process" : " processes")
                .append(" still alive after SIGTERM, the grace period and SIGKILL (uninterruptible sleep, "
                        + "another user's process, a process outside this library's control, or descendants that "
                        + "kept escaping their groups faster than they could be ended):");
        sb.append(ProcessTree.render(survivors));
        return sb.toString();
    }
}
