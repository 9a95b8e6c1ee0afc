package dev.managedprocesses.leaks;

import dev.managedprocesses.leaks.Finding.LeakedProcess;
import dev.managedprocesses.leaks.Finding.TestRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The detectors of the test plans running in this JVM (normally one; nested launchers in a test
 * suite add more, strictly nested in time), so the Jupiter extension and the leak check engine find the
 * detector that watches their tests, and a session's end finds the plans it ran. Also the messages
 * people read: a test's failure, the run's, and the summary at the end.
 */
final class LeakDetection {
    private static final List<LeakDetector> RUNNING = new ArrayList<>();
    private static final List<LeakDetector> FINISHED = new ArrayList<>();
    private static final List<String> CONFIG_ERRORS = new ArrayList<>();
    /** The JVM's detector: it spans the top-level test plans of a session (Surefire runs several per fork). */
    private static LeakDetector shared;
    /** Launcher sessions open now ({@link LeakSessionListener}); none on launchers before 1.8. */
    private static int openSessions;
    /** The configuration the leak check engine saw at its last discovery: the listener's on launchers before 1.8. */
    private static Function<String, Optional<String>> lastEngineConfiguration;
    private static boolean oldLauncherNoticeShown;
    /** True once the leak check engine has run in this JVM: a run failure then says why it did not catch it. */
    private static boolean leakCheckRan;

    private LeakDetection() {
    }

    // ---------------------------------------------------------------- sessions

    /** A launcher session opened: returns the mark that {@link #sessionClosed(int)} takes. */
    static synchronized int sessionOpened() {
        openSessions++;
        return FINISHED.size();
    }

    /** The session closes: the shared detector (if no plan runs) is closed; returns what finished since {@code mark}. */
    static synchronized List<LeakDetector> sessionClosed(int mark) {
        openSessions = Math.max(0, openSessions - 1);
        if (RUNNING.isEmpty() && shared != null) {
            closeWithSummary(shared);
            FINISHED.add(shared);
            shared = null;
        }
        List<LeakDetector> out = new ArrayList<>(FINISHED.subList(Math.min(mark, FINISHED.size()), FINISHED.size()));
        FINISHED.removeAll(out);
        return out;
    }

    /** An invalid mode: the run fails when the session closes (or, without sessions, is told so at once). */
    static synchronized void configurationError(String message) {
        CONFIG_ERRORS.add(message);
    }

    static synchronized List<String> takeConfigurationErrors() {
        List<String> out = List.copyOf(CONFIG_ERRORS);
        CONFIG_ERRORS.clear();
        return out;
    }

    static synchronized void leakCheckRan() {
        leakCheckRan = true;
    }

    /**
     * What a run failure adds when the leak check engine ran but could not report these leaks: it ran before
     * the engine of the leaking tests.
     */
    static synchronized String leakCheckHint() {
        return !leakCheckRan ? "" : "\n(The leak check engine, which would have reported this as a failed test, ran "
                + "before the engine of these tests: declare managed-processes after junit-vintage-engine and your other "
                + "JUnit engines among the test dependencies; the JUnit Platform runs engines in class-path order.)";
    }

    // ---------------------------------------------------------------- old launchers

    static synchronized void engineDiscovered(Function<String, Optional<String>> configuration) {
        lastEngineConfiguration = configuration;
    }

    /** What the leak check engine saw at discovery (the same request's configuration): empty if it did not run. */
    static synchronized Optional<Function<String, Optional<String>>> engineConfiguration() {
        return Optional.ofNullable(lastEngineConfiguration);
    }

    /**
     * Once per JVM, with detection on and a launcher older than 1.8 (no launcher sessions): one line saying
     * what is missing and what to upgrade.
     */
    static void oldLauncher(String launcherVersion) {
        synchronized (LeakDetection.class) {
            if (oldLauncherNoticeShown) {
                return;
            }
            oldLauncherNoticeShown = true;
        }
        System.err.println("managed-processes: JUnit Platform launcher " + launcherVersion + " predates launcher "
                + "sessions (1.8), so leak detection cannot fail the run as a last resort: a leak no test went red for may "
                + "only be reported; use maven-surefire-plugin 3.x (3.5.4), or junit-platform-launcher 1.8+ on the test "
                + "classpath");
    }

    // ---------------------------------------------------------------- plans

    /** A test plan starts: the shared detector for a top-level plan, a fresh one for a plan nested in another. */
    static synchronized LeakDetector planStarted(LeakSettings settings, Supplier<LeakDetector> create) {
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

    /**
     * A test plan ended: a nested plan's detector closes now, the shared one when the session closes; without a
     * session (launchers before 1.8), now too, and what it could not fail is said on stderr.
     */
    static void planFinished(LeakDetector detector) {
        boolean closeNow;
        synchronized (LeakDetection.class) {
            RUNNING.remove(detector);
            closeNow = detector != shared || openSessions == 0;
            if (!closeNow) {
                detector.checkpoint();
                return;
            }
            if (detector == shared) {
                shared = null;
            }
            if (openSessions > 0) {
                closeWithSummary(detector);
                FINISHED.add(detector);
                return;
            }
        }
        closeWithSummary(detector);
        runFailure(detector).ifPresent(m -> System.err.println(m
                + "\n(not failing the run: no launcher session is open to fail, so this is only reported)"));
    }

    static void closeWithSummary(LeakDetector detector) {
        if (detector.close()) {
            summary(detector).ifPresent(System.err::print);
        }
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

    // ---------------------------------------------------------------- messages

    /**
     * In fail mode, the message that fails the run for the findings no test was failed for (ambiguous
     * ones, and leaks found outside any test); empty otherwise.
     */
    static Optional<String> runFailure(LeakDetector detector) {
        if (detector.settings().mode() != LeakMode.FAIL) {
            return Optional.empty();
        }
        List<Finding> unfailed = detector.findings().stream().filter(f -> !f.failedSomething()).toList();
        if (unfailed.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder();
        for (List<Finding> group : byCandidates(unfailed).values()) {
            if (sb.length() > 0) {
                sb.append("\n\n");
            }
            sb.append(failureMessage(heading(group.get(0)), group, detector));
        }
        return Optional.of(sb.toString());
    }

    /** The findings grouped by their candidates (one group per leaking test, one per set of ambiguous candidates). */
    static Map<List<String>, List<Finding>> byCandidates(List<Finding> findings) {
        Map<List<String>, List<Finding>> out = new LinkedHashMap<>();
        for (Finding f : findings) {
            out.computeIfAbsent(f.tests().stream().map(TestRef::uniqueId).toList(), k -> new ArrayList<>()).add(f);
        }
        return out;
    }

    /** How a run-level message names the culprit: class and method, or "The test run" for ambiguous ones. */
    static String heading(Finding f) {
        return f.ambiguous() ? "The test run" : "Test " + f.tests().get(0).named();
    }

    /** The message that fails a test (or the run) for its leaks. */
    static String failureMessage(String what, List<Finding> findings, LeakDetector detector) {
        int n = LeakReport.processCount(findings);
        StringBuilder sb = new StringBuilder(what).append(" leaked ").append(n).append(n == 1 ? " process" : " processes")
                .append(" (managed-processes leak detection, mode fail):");
        for (Finding f : findings) {
            if (f.ambiguous()) {
                sb.append("\n  [ambiguous: it started while these were running: ")
                        .append(String.join(", ", f.tests().stream().map(TestRef::named).toList()))
                        .append(']');
            }
            for (LeakedProcess p : f.processes()) {
                sb.append("\n  ").append("  ".repeat(p.depth())).append(LeakReport.line(p));
            }
        }
        sb.append('\n').append(ended(findings, n));
        sb.append("\nReport: ").append(detector.report().textFile().toAbsolutePath())
                .append('\n').append(advice(findings));
        return sb.toString();
    }

    /** What became of the processes: ended (the default), left running on request, or not all could be ended. */
    private static String ended(List<Finding> findings, int n) {
        if (findings.stream().allMatch(f -> f.action().startsWith(LeakDetector.KEPT))) {
            return (n == 1 ? "It was" : "They were") + " left running (" + LeakSettings.FAIL_KEEP_KEY + "=true).";
        }
        if (findings.stream().allMatch(f -> f.action().startsWith("killed;") || f.action().equals("killed"))) {
            return (n == 1 ? "It was" : "They were") + " ended (SIGTERM, then SIGKILL after the grace period where "
                    + "needed); " + LeakSettings.FAIL_KEEP_KEY + "=true leaves leaked processes running.";
        }
        return "Not all could be ended: " + String.join("; ", findings.stream().map(Finding::action).toList()) + ".";
    }

    /** What to do, in the words of the tests' own framework. */
    private static String advice(List<Finding> findings) {
        boolean vintage = findings.stream().flatMap(f -> f.tests().stream()).allMatch(TestRef::vintage);
        boolean jupiter = findings.stream().flatMap(f -> f.tests().stream())
                .allMatch(t -> t.uniqueId().startsWith("[engine:junit-jupiter]"));
        if (vintage) {
            return "End such processes in the test (Process.destroy() and waitFor() in an @After method or a finally "
                    + "block), or opt out with @AllowProcessLeaks(\"why\") on the test method or class";
        }
        if (jupiter) {
            return "End such processes in the test, start them through a ProcessScope (@ManagedProcesses), "
                    + "or opt out with @AllowProcessLeaks(\"why\")";
        }
        return "End such processes in the test, or opt out with @AllowProcessLeaks(\"why\") on the test method or class";
    }

    /**
     * What stderr shows at the end of a run when something leaked: a framed block naming every test and
     * its processes, the report's path, and (in warn mode) how to make such leaks fail; empty when nothing
     * leaked.
     */
    static Optional<String> summary(LeakDetector detector) {
        List<Finding> findings = detector.findings();
        if (findings.isEmpty()) {
            return Optional.empty();
        }
        int n = LeakReport.processCount(findings);
        long tests = findings.stream().flatMap(f -> f.tests().stream()).distinct().count();
        LeakMode mode = detector.settings().mode();
        String outcome = "";
        if (mode == LeakMode.KILL || (mode == LeakMode.FAIL && !detector.settings().keepInFailMode())) {
            outcome = findings.stream().allMatch(f -> f.action().equals("killed") || f.action().startsWith("killed;"))
                    ? " (killed)" : " (not all killed: see the report)";
        }
        String headline = "managed-processes: " + n + (n == 1 ? " process" : " processes") + " leaked by " + tests
                + (tests == 1 ? " test" : " tests") + outcome + "; report: " + detector.report().textFile().toAbsolutePath();
        StringBuilder sb = new StringBuilder();
        String rule = "=".repeat(100);
        sb.append(rule).append('\n').append(headline).append('\n');
        for (List<Finding> group : byCandidates(findings).values()) {
            Finding first = group.get(0);
            sb.append(first.ambiguous() ? "  ambiguous, one of: " + String.join(", ",
                    first.tests().stream().map(TestRef::named).toList()) : "  " + first.tests().get(0).named()).append('\n');
            for (Finding f : group) {
                for (LeakedProcess p : f.processes()) {
                    sb.append("      ").append("  ".repeat(p.depth())).append(LeakReport.line(p)).append('\n');
                }
            }
        }
        if (mode == LeakMode.WARN) {
            sb.append("  (mode warn: no test fails for this; ").append(LeakSettings.MODE_KEY)
                    .append("=fail fails the tests that leak, =kill ends what they leave)\n");
        }
        sb.append(rule).append('\n');
        return Optional.of(sb.toString());
    }

    /** One short block for a test's own output in warn mode, as soon as its leak is found. */
    static String warning(List<Finding> findings) {
        StringBuilder sb = new StringBuilder();
        for (Finding f : findings) {
            int n = f.processes().size();
            sb.append("managed-processes: ").append(f.ambiguous() ? "one of " + String.join(", ",
                    f.tests().stream().map(TestRef::named).toList()) : f.tests().get(0).named())
                    .append(" leaked ").append(n).append(n == 1 ? " process" : " processes").append(" (mode warn):\n");
            for (LeakedProcess p : f.processes()) {
                sb.append("  ").append("  ".repeat(p.depth())).append(LeakReport.line(p)).append('\n');
            }
        }
        return sb.toString();
    }
}
