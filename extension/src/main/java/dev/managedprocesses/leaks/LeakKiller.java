package dev.managedprocesses.leaks;

import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.internal.os.OsProcesses.SignalResult;
import dev.managedprocesses.internal.os.Poller;
import dev.managedprocesses.internal.os.ProcStat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ends a leaked tree in {@code kill} mode (SIGTERM, grace, SIGKILL), and owns the pid-reuse hazard of
 * doing so. A leaked process is not ours: the JDK or another parent may reap it at any moment, and its
 * pid may then be handed to a stranger. So nothing here is signalled, registered or adopted on the
 * strength of a pid alone:
 * <ol>
 *   <li>a protected pid (0-2, this JVM, its parent, session leader or group leader) is skipped;</li>
 *   <li>a pidfd is opened <em>first</em>, then the start time is read and compared with the one
 *       recorded when the process was found: a mismatch (the pid was recycled) closes the pidfd and
 *       skips the process, untouched;</li>
 *   <li>a match is signalled only through that pidfd, which keeps naming that very process even if
 *       its pid is recycled later.</li>
 * </ol>
 * Without pidfds (Linux &lt; 5.3) the start time is re-read right before each signal by pid: a window
 * of microseconds remains (the pid space must also wrap around in it), as everywhere else in the
 * library on such kernels.
 *
 * <p>The outcome says, per process, what happened: only processes this class signalled and that then
 * ended are "killed"; one that had exited, was recycled, is protected or survived SIGKILL is named as such.
 */
final class LeakKiller {
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;
    private static final int SIGCONT = 18;
    /** After SIGKILL the kernel ends a process at once unless it sleeps uninterruptibly: wait this long at most. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(1);

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

    /** One process verified to be the one found: its pidfd (or -1 without pidfds) and recorded start time. */
    private record Target(long pid, long startTime, int pidfd) {
    }

    /**
     * Ends {@code tree} (processes as found: their start times are the identities to verify), waiting
     * up to {@code grace} between SIGTERM and SIGKILL.
     */
    static Outcome kill(OsProcesses os, List<ProcStat> tree, Duration grace) {
        List<Long> killed = new ArrayList<>();
        List<Long> exited = new ArrayList<>();
        List<Long> recycled = new ArrayList<>();
        List<String> protectedOnes = new ArrayList<>();
        List<Long> survivors = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        try {
            for (ProcStat s : tree) {
                String why = os.protectedReason(s.pid());
                if (why != null) {
                    protectedOnes.add("pid " + s.pid() + " (it is " + why + ")");
                    continue;
                }
                int fd = os.openPidfd(s.pid()); // first the pidfd, then the identity: the pidfd is then that process's
                Optional<ProcStat> now = os.stat(s.pid());
                if (now.isPresent() && now.get().startTime() != s.startTime()) {
                    os.close(fd);
                    recycled.add(s.pid());
                } else if (now.isEmpty() || now.get().isGone() || (fd < 0 && os.pidfdSupported())) {
                    os.close(fd);
                    exited.add(s.pid());
                } else {
                    targets.add(new Target(s.pid(), s.startTime(), fd));
                }
            }
            List<Target> signalled = new ArrayList<>();
            for (Target t : targets) {
                SignalResult r = signal(os, t, SIGTERM);
                if (r == SignalResult.DELIVERED) {
                    signal(os, t, SIGCONT); // a stopped process acts on SIGTERM only once continued
                    signalled.add(t);
                } else if (r == SignalResult.NO_SUCH_PROCESS) {
                    exited.add(t.pid());
                } else {
                    survivors.add(t.pid());
                }
            }
            List<Target> left = awaitGone(os, signalled, grace);
            for (Target t : left) {
                signal(os, t, SIGKILL);
            }
            List<Target> alive = awaitGone(os, left, AFTER_KILL);
            for (Target t : signalled) {
                if (alive.contains(t)) {
                    survivors.add(t.pid());
                } else {
                    killed.add(t.pid());
                }
            }
        } finally {
            for (Target t : targets) {
                os.close(t.pidfd());
            }
        }
        return new Outcome(List.copyOf(killed), List.copyOf(exited), List.copyOf(recycled), List.copyOf(protectedOnes),
                List.copyOf(survivors));
    }

    private static SignalResult signal(OsProcesses os, Target t, int signal) {
        if (t.pidfd() >= 0) {
            return os.signalPidfd(t.pidfd(), signal);
        }
        // No pidfds on this kernel: the identity, re-read right before the signal.
        return isCurrent(os, t) ? os.signalPid(t.pid(), signal) : SignalResult.NO_SUCH_PROCESS;
    }

    private static boolean isCurrent(OsProcesses os, Target t) {
        return os.stat(t.pid()).map(s -> !s.isGone() && s.startTime() == t.startTime()).orElse(false);
    }

    private static boolean gone(OsProcesses os, Target t) {
        return t.pidfd() >= 0 ? os.pidfdExited(t.pidfd()) : !isCurrent(os, t);
    }

    /** Waits until every target has ended or {@code timeout} passes; returns those still running. */
    private static List<Target> awaitGone(OsProcesses os, List<Target> targets, Duration timeout) {
        List<Target> left = new ArrayList<>(targets);
        left.removeIf(t -> gone(os, t));
        if (left.isEmpty()) {
            return left;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean pidfds = left.stream().allMatch(t -> t.pidfd() >= 0);
        try (Poller poller = pidfds ? os.openPoller() : null) {
            if (poller != null) {
                left.forEach(t -> poller.add(t.pidfd(), t.pid()));
            }
            long[] tokens = new long[left.size()];
            long pause = 1;
            while (!left.isEmpty()) {
                long remaining = (deadline - System.nanoTime()) / 1_000_000;
                if (remaining <= 0) {
                    break;
                }
                if (poller != null) {
                    poller.await(tokens, (int) Math.min(remaining, Integer.MAX_VALUE)); // woken by an exit
                } else {
                    Thread.sleep(Math.min(pause, remaining)); // nothing to wake us: poll, backing off to 50 ms
                    pause = Math.min(50, pause * 2);
                }
                for (Target t : List.copyOf(left)) {
                    if (gone(os, t)) {
                        left.remove(t);
                        if (poller != null) {
                            poller.remove(t.pidfd()); // level-triggered: an exited pidfd would stay ready
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return left;
    }
}
