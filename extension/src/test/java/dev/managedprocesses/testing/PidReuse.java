package dev.managedprocesses.testing;

import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.Os;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Forces the kernel to hand out a given pid (root only): write {@code pid - 1} to
 * {@code /proc/sys/kernel/ns_last_pid}, then start a process. Another process can take the pid
 * first, so it retries.
 *
 * <p>Rewinding the pid counter defeats an assumption of the JDK: it keeps one exit future per pid
 * and removes it only after completing it, so a child that gets the pid of a child that has just
 * exited can be handed the old child's finished future. That {@link Process} says "exited" at once;
 * {@code destroy} and {@code waitFor} then do nothing and the JDK never reaps it: a leak. So the
 * misses of one call stay alive (their pids cannot come round again) until the call ends, and a
 * child handed a finished future is killed and reaped here.
 */
public final class PidReuse {
    private static final Path NS_LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");

    private PidReuse() {
    }

    /** Null when forcing pid reuse works here, else why it does not (for the skip message). */
    public static String unavailableReason() {
        if (!Proc.isRoot()) {
            return "forcing pid reuse needs root (writes /proc/sys/kernel/ns_last_pid); this JVM runs as uid "
                    + Proc.status(ProcessHandle.current().pid(), "Uid").split("\\s+")[0];
        }
        if (!Files.isWritable(NS_LAST_PID)) {
            return NS_LAST_PID + " is not writable here (no CAP_SYS_ADMIN in this pid namespace?)";
        }
        return null;
    }

    /**
     * Makes {@code pid} the next pid the kernel hands out (unless another fork, or a new thread anywhere,
     * takes it first: callers check and retry). One write(2), as the kernel wants.
     */
    public static void nextPidWillBe(long pid) throws IOException {
        try (FileOutputStream out = new FileOutputStream(NS_LAST_PID.toFile())) {
            out.write(Long.toString(pid - 1).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Starts {@code command} (outside every scope) with exactly {@code pid}, or empty after 50 tries. */
    public static Optional<Process> startWithPid(long pid, String... command) throws IOException, InterruptedException {
        List<Process> misses = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                nextPidWillBe(pid);
                Process p = new ProcessBuilder(command).start();
                if (!p.isAlive() && Proc.alive(p.pid())) {
                    endForsaken(p.pid());
                } else if (p.pid() == pid) {
                    return Optional.of(p);
                } else {
                    misses.add(p);
                }
            }
            return Optional.empty();
        } finally {
            for (Process p : misses) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }

    /**
     * A {@code sleep 300} outside every scope on exactly {@code pid} (a pid that has just been freed), started
     * a clock tick later: start times have a 10 ms resolution, and a reuse within the same tick would have
     * the very same identity (documented in ProcessIdentity). Skips the test when 50 tries do not get it.
     */
    public static Process strangerOn(long pid) throws IOException, InterruptedException {
        Thread.sleep(20);
        Optional<Process> forced = startWithPid(pid, "sleep", "300");
        org.junit.jupiter.api.Assumptions.assumeTrue(forced.isPresent(),
                () -> "Skipped: could not get pid " + pid + " reused in 50 tries");
        return forced.get();
    }

    /** A child the JDK will neither kill nor reap (see above): unreaped, its pid is pinned, so kill(pid) is safe. */
    private static void endForsaken(long pid) throws InterruptedException {
        Os os = Os.current();
        long start = Proc.startTime(pid);
        os.control().signalPid(pid, Signal.KILL);
        for (int i = 0; i < 5000 && Proc.startTime(pid) == start; i++) {
            if (os.control().reap(pid).isEmpty()) {
                Thread.sleep(1);
            }
        }
    }
}
