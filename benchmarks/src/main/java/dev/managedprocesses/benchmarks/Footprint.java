package dev.managedprocesses.benchmarks;

import dev.managedprocesses.ProcessScope;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * (5) Threads and memory while N processes are alive, run by the harness in a fresh JVM: N
 * {@code sleep}s started through a scope, or through {@link ProcessBuilder}, then the JVM's live
 * threads, the heap in use after a full GC, the resident set and the open descriptors, each minus
 * the same reading taken before anything was started. Then everything is ended and reaped. Prints one
 * {@code key=value} line for the harness.
 *
 * <pre>java -cp ... dev.managedprocesses.benchmarks.Footprint managed|jdk N</pre>
 */
public final class Footprint {
    private Footprint() {
    }

    private record Reading(int threads, long heap, long rss, long fds) {
        static Reading take() throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(50);
            }
            return new Reading(ManagementFactory.getThreadMXBean().getThreadCount(),
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), readRss(), countFds());
        }
    }

    public static void main(String[] args) throws Exception {
        String who = args[0];
        int n = Integer.parseInt(args[1]);
        Set<String> threadsBefore = threadNames();
        Reading before = Reading.take();
        long t0 = System.nanoTime();
        ProcessScope scope = null;
        List<Process> jdk = new ArrayList<>();
        if (who.equals("managed")) {
            scope = ProcessScope.builder().name("footprint").gracePeriod(Duration.ofSeconds(30)).open();
            for (int i = 0; i < n; i++) {
                scope.command(Benchmarks.LONG_SLEEP).environment(Benchmarks.MARKER, Benchmarks.runId()).start();
            }
        } else if (who.equals("jdk")) {
            for (int i = 0; i < n; i++) {
                ProcessBuilder pb = new ProcessBuilder(Benchmarks.LONG_SLEEP);
                pb.environment().put(Benchmarks.MARKER, Benchmarks.runId());
                jdk.add(pb.start());
            }
        } else {
            throw new IllegalArgumentException("usage: Footprint managed|jdk N");
        }
        long startMicros = (System.nanoTime() - t0) / 1000;
        Reading during = Reading.take();
        Set<String> newThreads = threadNames();
        newThreads.removeAll(threadsBefore);
        int libraryThreads = 0;
        int reaperThreads = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("managed-processes")) {
                libraryThreads++;
            } else if (t.getName().startsWith("process reaper")) {
                reaperThreads++;
            }
        }
        long t1 = System.nanoTime();
        if (scope != null) {
            scope.close();
        } else {
            jdk.forEach(Process::destroy);
            for (Process p : jdk) {
                p.waitFor();
            }
        }
        long teardownMicros = (System.nanoTime() - t1) / 1000;
        System.out.println("footprint who=" + who + " n=" + n
                + " threads=" + (during.threads - before.threads)
                + " libraryThreads=" + libraryThreads
                + " reaperThreads=" + reaperThreads
                + " heapBytes=" + (during.heap - before.heap)
                + " rssBytes=" + (during.rss - before.rss)
                + " fds=" + (during.fds - before.fds)
                + " startMicros=" + startMicros
                + " teardownMicros=" + teardownMicros
                + " newThreads=" + String.join("|", newThreads.stream().map(t -> t.replaceAll("[\\s=]+", "_"))
                        .map(t -> t.replaceAll("[0-9]+", "N")).distinct().sorted().toList()));
    }

    private static Set<String> threadNames() {
        Set<String> names = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.add(t.getName());
        }
        return names;
    }

    private static long readRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static long countFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
