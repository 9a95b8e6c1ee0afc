package dev.managedprocesses.benchmarks;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import java.lang.management.ManagementFactory;

/**
 * (7) Cold start, run by the harness in a fresh JVM per measurement: the time from the first line
 * of {@code main} until the first process has been started ({@code start()} returned), and until its
 * exit has been seen. Prints one {@code key=value} line for the harness.
 *
 * <pre>java -cp ... dev.managedprocesses.benchmarks.ColdStart managed|jdk</pre>
 */
public final class ColdStart {
    private ColdStart() {
    }

    public static void main(String[] args) throws Exception {
        String who = args.length > 0 ? args[0] : "managed";
        long t0 = System.nanoTime();
        long started;
        long exited;
        if (who.equals("managed")) {
            try (ProcessScope scope = ProcessScope.open()) {
                ManagedProcess p = scope.start(Benchmarks.TRUE);
                started = System.nanoTime();
                Benchmarks.checkZero(p.waitFor().code());
                exited = System.nanoTime();
            }
        } else if (who.equals("jdk")) {
            Process p = new ProcessBuilder(Benchmarks.TRUE).start();
            started = System.nanoTime();
            Benchmarks.checkZero(p.waitFor());
            exited = System.nanoTime();
        } else {
            throw new IllegalArgumentException("usage: ColdStart managed|jdk");
        }
        // Only now load the management classes (they would otherwise count against both sides).
        long jvmUptimeAtStart = ManagementFactory.getRuntimeMXBean().getUptime()
                - (System.nanoTime() - started) / 1_000_000;
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        System.out.println("coldstart who=" + who
                + " startMicros=" + (started - t0) / 1000
                + " exitMicros=" + (exited - t0) / 1000
                + " uptimeAtStartMillis=" + jvmUptimeAtStart
                + " loadedClasses=" + classes);
    }
}
