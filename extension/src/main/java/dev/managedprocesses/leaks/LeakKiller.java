package dev.managedprocesses.leaks;

import dev.managedprocesses.EndedBy;
import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.core.Terminator;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.SignalResult;
import dev.managedprocesses.internal.safety.PinnedProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Ends a leaked tree in {@code kill} mode: every process of the tree, as found, is pinned by identity
 * ({@link PinnedProcess}: a protected pid is never touched, a pid recycled since it was found is left
 * alone, a match is signalled only through its pidfd) and ended by the library's one TERM, grace, KILL
 * engine ({@link Terminator}).
 *
 * <p>The outcome says, per process, what happened: only processes this class signalled and that then
 * ended are "killed"; one that had exited, was recycled, is protected or survived SIGKILL is named as such.
 */
final class LeakKiller {

    private LeakKiller() {
    }

    /** What became of each process of a tree. */
    record Outcome(List<Long> killed, List<Long> exited, List<Long> recycled, List<String> protectedOnes,
            List<Long> survivors) {

        /** True when every process of the tree was signalled here and ended. */
        boolean allKilled() {
            return exited.isEmpty() && recycled.isEmpty() && protectedOnes.isEmpty() && survivors.isEmpty();
        }

        /**
         * The finding's action: {@code killed} when every process was, else what happened to each, for
         * example {@code killed pid 12; not killed: pid 13 (its pid was recycled by another process
         * before it could be killed: not touched)}.
         */
        String action() {
            if (allKilled()) {
                return "killed";
            }
            List<String> parts = new ArrayList<>();
            if (!killed.isEmpty()) {
                parts.add("killed " + pids(killed));
            }
            List<String> not = new ArrayList<>();
            if (!exited.isEmpty()) {
                not.add(pids(exited) + " (exited by itself)");
            }
            if (!recycled.isEmpty()) {
                not.add(pids(recycled) + " (its pid was recycled by another process before it could be killed: "
                        + "not touched)");
            }
            not.addAll(protectedOnes);
            if (!survivors.isEmpty()) {
                not.add(pids(survivors) + " (still alive after SIGKILL: uninterruptible sleep, or another user's)");
            }
            parts.add("not killed: " + String.join(", ", not));
            return String.join("; ", parts);
        }

        private static String pids(List<Long> pids) {
            return (pids.size() == 1 ? "pid " : "pids ") + String.join(", ", pids.stream().map(String::valueOf).toList());
        }
    }

    /**
     * Ends {@code tree} (processes as found: their start times are the identities to verify), waiting
     * up to {@code grace} between SIGTERM and SIGKILL.
     */
    static Outcome kill(Os os, List<ProcStat> tree, Duration grace) {
        List<Long> killed = new ArrayList<>();
        List<Long> exited = new ArrayList<>();
        List<Long> recycled = new ArrayList<>();
        List<String> protectedOnes = new ArrayList<>();
        List<Long> survivors = new ArrayList<>();
        List<Leaked> targets = new ArrayList<>();
        try {
            for (ProcStat s : tree) {
                PinnedProcess.Pin pin = PinnedProcess.pin(os, s.pid(), s.startTime());
                switch (pin.outcome()) {
                    case PINNED -> targets.add(new Leaked(os, pin.process()));
                    case RECYCLED -> recycled.add(s.pid());
                    case GONE -> exited.add(s.pid());
                    case PROTECTED -> protectedOnes.add("pid " + s.pid() + " (it is " + pin.protectedReason() + ")");
                    default -> throw new IllegalStateException(pin.outcome().name());
                }
            }
            Terminator.terminate(os.table(), targets, grace);
            for (Leaked t : targets) {
                if (t.firstResult == SignalResult.NO_SUCH_PROCESS) {
                    exited.add(t.process.pid());
                } else if (t.firstResult == SignalResult.DELIVERED && t.isGone()) {
                    killed.add(t.process.pid());
                } else {
                    survivors.add(t.process.pid());
                }
            }
        } finally {
            for (Leaked t : targets) {
                t.process.close();
            }
        }
        return new Outcome(List.copyOf(killed), List.copyOf(exited), List.copyOf(recycled), List.copyOf(protectedOnes),
                List.copyOf(survivors));
    }

    /** One leaked process, pinned: a target of the teardown engine that remembers how its first signal went. */
    private static final class Leaked implements Terminator.Target {
        private static final CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);
        final Os os;
        final PinnedProcess process;
        volatile SignalResult firstResult;

        Leaked(Os os, PinnedProcess process) {
            this.os = os;
            this.process = process;
        }

        @Override
        public boolean isGone() {
            return process.exited().isDone();
        }

        @Override
        public CompletableFuture<Void> gone() {
            return process.exited();
        }

        @Override
        public CompletableFuture<Void> watch() {
            process.exited(); // starts watching
            return READY;
        }

        @Override
        public void send(Signal signal, EndedBy cause) {
            if (!os.control().canSend(signal)) {
                return; // the portable platform: no SIGCONT (nor SIGTERM on Windows); SIGKILL follows the grace period
            }
            SignalResult r = process.signal(signal);
            if (firstResult == null) {
                firstResult = r;
            }
        }

        @Override
        public List<ProcStat> members(List<ProcStat> snapshot) {
            List<ProcStat> out = new ArrayList<>();
            for (ProcStat s : snapshot) {
                if (s.pid() == process.pid() && s.startTime() == process.startTime() && !s.isGone()) {
                    out.add(s);
                }
            }
            return out;
        }

        @Override
        public void beginTermination(long startNanos) {
            // a leak's record is its outcome, not a duration
        }
    }
}
