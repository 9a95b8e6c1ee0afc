package dev.managedprocesses.testing;

import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.Os;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Ends a tree that a test started with plain {@link ProcessBuilder} (a stranger that loops over
 * {@code sleep 1}, say) without leaving anything behind.
 *
 * <p>Killing the descendants and then the parent races: in between, a looping parent forks its next
 * child, which outlives it as an orphan, re-parents to this JVM (a subreaper) and becomes the JVM's
 * zombie when it exits, in whichever test runs next. So the parent is stopped first (it can fork
 * nothing more), then the descendants and the parent are killed, and the killed descendants, which
 * re-parent here as zombies once their parent is gone, are reaped by pid and start time.
 */
public final class JdkTrees {

    private JdkTrees() {
    }

    /** SIGSTOP; on the portable platform, which cannot send it, through kill(1) (these tests run on Linux). */
    private static void stop(Os os, long pid) throws InterruptedException {
        if (!os.control().canSend(Signal.STOP)) {
            try {
                new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return;
        }
        os.control().signalPid(pid, Signal.STOP);
    }

    /** Ends {@code root} and its descendants and waits until none of them is left, zombies included. */
    public static void end(Process root) throws InterruptedException {
        Os os = Os.current();
        long self = ProcessHandle.current().pid();
        if (root.isAlive()) {
            stop(os, root.pid()); // a live child of ours: its pid is pinned until the JDK reaps it
        }
        Map<Long, Long> descendants = new HashMap<>();
        root.descendants().forEach(d -> {
            descendants.put(d.pid(), Proc.startTime(d.pid()));
            d.destroyForcibly();
        });
        root.destroyForcibly();
        root.waitFor(10, TimeUnit.SECONDS);
        Proc.eventually(Duration.ofSeconds(10), () -> {
            descendants.entrySet().removeIf(e -> Proc.startTime(e.getKey()) != e.getValue() // gone
                    || (Proc.state(e.getKey()) == 'Z' && Proc.ppid(e.getKey()) == self && os.control().reap(e.getKey()).isPresent()));
            return descendants.isEmpty();
        });
    }
}
