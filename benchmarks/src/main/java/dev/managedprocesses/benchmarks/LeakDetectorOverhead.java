package dev.managedprocesses.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Benchmark (6): the leak detector's cost per test. Runs a suite of {@value #TESTS} tiny tests
 * through a real JUnit Platform launcher (the detector's listener and extension are found through
 * META-INF/services, as in a user's build), alternating detector off and on (fail mode) in the same
 * JVM, with at least 300 extra processes on the machine. Reports the median per-test difference.
 *
 * <p>{@code benchmarks/leak-overhead.sh [rounds]}
 */
public final class LeakDetectorOverhead {
    static final int TESTS = 500;
    static final int EXTRA_PROCESSES = 300;

    private LeakDetectorOverhead() {
    }

    /** The suite: tiny tests that start no process (the common case the detector must not slow down). */
    public static class TinyTestCase {
        @RepeatedTest(TESTS)
        void tiny() {
            Math.sqrt(42);
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path reports = Files.createTempDirectory("leak-overhead");
        List<Process> extra = new ArrayList<>();
        try {
            for (int i = 0; i < EXTRA_PROCESSES; i++) {
                extra.add(new ProcessBuilder("sleep", "600").start());
            }
            long processes;
            try (var s = Files.list(Path.of("/proc"))) {
                processes = s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
            }
            run(false, reports); // warm-up both ways
            run(true, reports);
            double[] off = new double[rounds];
            double[] on = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                off[r] = run(false, reports);
                on[r] = run(true, reports);
            }
            double[] diff = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                diff[r] = (on[r] - off[r]) / TESTS;
            }
            Arrays.sort(off);
            Arrays.sort(on);
            Arrays.sort(diff);
            System.out.printf(Locale.ROOT, "(6) leak detector per-test overhead, %d tiny tests, %d processes on the machine,"
                    + " %d paired rounds%n", TESTS, processes, rounds);
            System.out.printf(Locale.ROOT, "  detector off: %.1f ms per suite (median), %.3f ms per test%n",
                    off[rounds / 2], off[rounds / 2] / TESTS);
            System.out.printf(Locale.ROOT, "  detector on (fail mode): %.1f ms per suite (median), %.3f ms per test%n",
                    on[rounds / 2], on[rounds / 2] / TESTS);
            System.out.printf(Locale.ROOT, "  overhead: %.3f ms per test (median of paired rounds; min %.3f, max %.3f); "
                    + "ratio on/off %.2fx; target <= 0.5 ms: %s%n", diff[rounds / 2], diff[0], diff[rounds - 1],
                    on[rounds / 2] / off[rounds / 2], diff[rounds / 2] <= 0.5 ? "met" : "MISSED");
        } finally {
            for (Process p : extra) {
                p.destroyForcibly();
            }
            for (Process p : extra) {
                p.waitFor(10, TimeUnit.SECONDS);
            }
            try (var files = Files.list(reports)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(reports);
        }
    }

    /** One suite run; milliseconds of wall time. */
    private static double run(boolean detector, Path reports) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(TinyTestCase.class))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .configurationParameter("managedprocesses.leaks.report.dir", reports.toString());
        if (detector) {
            request.configurationParameter("managedprocesses.leaks.mode", "fail");
        }
        LauncherDiscoveryRequest built = request.build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        long start = System.nanoTime();
        try (var session = LauncherFactory.openSession()) {
            session.getLauncher().execute(built, summary);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (summary.getSummary().getTestsSucceededCount() != TESTS) {
            throw new IllegalStateException("the suite did not pass: " + summary.getSummary().getTotalFailureCount());
        }
        return ms;
    }
}
