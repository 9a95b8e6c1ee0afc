package dev.managedprocesses.leaks;

import dev.managedprocesses.leaks.Finding.LeakedProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The detectors of the test plans running in this JVM (normally one; nested launchers in a test
 * suite add more, strictly nested in time), so the Jupiter extension finds the detector that
 * watches its test, and a session's end finds the plans it ran.
 */
final class LeakDetection {
    private static final List<LeakDetector> RUNNING = new ArrayList<>();
    private static final List<LeakDetector> FINISHED = new ArrayList<>();
    /** The JVM's detector: it spans the top-level test plans of a session (Surefire runs several per fork). */
    private static LeakDetector shared;

    private LeakDetection() {
    }

    /** A test plan starts: the shared detector for a top-level plan, a fresh one for a plan nested in another. */
    static synchronized LeakDetector planStarted(LeakSettings settings, java.util.function.Supplier<LeakDetector> create) {
        LeakDetector d;
        if (RUNNING.isEmpty() && shared != null && shared.settings().sameAs(settings)) {
            d = shared;
        } else {
            d = create.get();
            if (RUNNING.isEmpty()) {
                if (shared != null) {
                    closeWithSummary(shared);
                    FINISHED.add(shared);
                }
                shared = d;
            }
        }
        RUNNING.add(d);
        return d;
    }

    /** A test plan ended: a nested plan's detector closes now, the shared one when the session closes. */
    static synchronized void planFinished(LeakDetector detector) {
        RUNNING.remove(detector);
        if (detector != shared) {
            closeWithSummary(detector);
            FINISHED.add(detector);
        } else {
            detector.checkpoint();
        }
    }

    /** The session closes: the shared detector (if no plan runs) is closed; returns what finished since {@code mark}. */
    static synchronized List<LeakDetector> sessionClosed(int mark) {
        if (RUNNING.isEmpty() && shared != null) {
            closeWithSummary(shared);
            FINISHED.add(shared);
            shared = null;
        }
        return takeFinishedSince(mark);
    }

    static void closeWithSummary(LeakDetector detector) {
        if (detector.close()) {
            summary(detector).ifPresent(System.err::println);
        }
    }

    /** How many plans have finished so far: a session remembers it when it opens. */
    static synchronized int finishedMark() {
        return FINISHED.size();
    }

    /** The plans that finished since {@code mark}, removed from the list. */
    private static List<LeakDetector> takeFinishedSince(int mark) {
        List<LeakDetector> out = new ArrayList<>(FINISHED.subList(Math.min(mark, FINISHED.size()), FINISHED.size()));
        FINISHED.removeAll(out);
        return out;
    }

    /** The running detector that watches {@code uniqueId} (innermost first). */
    static synchronized Optional<LeakDetector> watching(String uniqueId) {
        for (int i = RUNNING.size() - 1; i >= 0; i--) {
            if (RUNNING.get(i).knows(uniqueId)) {
                return Optional.of(RUNNING.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * In fail mode, the message that fails the run for the findings no test was failed for (ambiguous
     * ones, and leaks found outside any test); empty otherwise.
     */
    static Optional<String> runFailure(LeakDetector detector) {
        if (detector.settings().mode() != LeakMode.FAIL) {
            return Optional.empty();
        }
        List<Finding> unfailed = detector.findings().stream().filter(f -> !f.action().contains("test failed")).toList();
        return unfailed.isEmpty() ? Optional.empty() : Optional.of(failureMessage("The test run", unfailed, detector));
    }

    /** The message that fails a test for its leaks. */
    static String failureMessage(String what, List<Finding> findings, LeakDetector detector) {
        int n = LeakReport.processCount(findings);
        StringBuilder sb = new StringBuilder(what).append(" leaked ").append(n).append(n == 1 ? " process" : " processes")
                .append(" (managed-processes leak detection, mode fail):");
        for (Finding f : findings) {
            if (f.ambiguous()) {
                sb.append("\n  [ambiguous: it started while these were running: ")
                        .append(String.join(", ", f.tests().stream().map(Finding.TestRef::displayName).toList()))
                        .append(']');
            }
            for (LeakedProcess p : f.processes()) {
                sb.append("\n  ").append("  ".repeat(p.depth())).append(LeakReport.line(p));
            }
        }
        sb.append("\nReport: ").append(detector.report().textFile().toAbsolutePath())
                .append("\nEnd such processes in the test, start them through a ProcessScope (@ManagedProcesses), "
                        + "or opt out with @AllowProcessLeaks(\"why\")");
        return sb.toString();
    }

    /** One line for stderr at the end of a run; empty when nothing leaked. */
    static Optional<String> summary(LeakDetector detector) {
        List<Finding> findings = detector.findings();
        if (findings.isEmpty()) {
            return Optional.empty();
        }
        int n = LeakReport.processCount(findings);
        long tests = findings.stream().flatMap(f -> f.tests().stream()).distinct().count();
        String killed = "";
        if (detector.settings().mode() == LeakMode.KILL) {
            killed = findings.stream().allMatch(f -> f.action().equals("killed")) ? " (killed)"
                    : " (not all killed: see the report)";
        }
        return Optional.of("managed-processes: " + n + (n == 1 ? " process" : " processes") + " leaked by " + tests
                + (tests == 1 ? " test" : " tests") + killed + "; report: " + detector.report().textFile().toAbsolutePath());
    }
}
