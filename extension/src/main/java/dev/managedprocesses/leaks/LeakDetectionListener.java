package dev.managedprocesses.leaks;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.PlatformChoice;
import dev.managedprocesses.leaks.Finding.TestRef;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Leak detection for any JUnit Platform run, registered through {@code META-INF/services} and inert
 * until {@value LeakSettings#MODE_KEY} is {@code warn}, {@code fail} or {@code kill}. Works for
 * tests that never touch this library (plain {@code ProcessBuilder}, {@code Runtime.exec}, a library
 * that forks) and for every engine.
 *
 * <p>A listener cannot fail a test (JUnit logs what it throws). In {@code fail} mode the guilty
 * Jupiter test goes red through {@link LeakCheckExtension} (auto-detected with
 * {@code junit.jupiter.extensions.autodetection.enabled=true}, or {@code @ExtendWith}); leaks that no
 * test was failed for fail the run when the launcher session closes. That includes every ambiguous
 * finding (parallel execution: more than one test or class fixture was running when the process
 * started): no single test is failed for it, since it could be the innocent one; the run's failure
 * names every candidate.
 */
public class LeakDetectionListener implements LauncherSessionListener, TestExecutionListener {
    private volatile LeakDetector detector;
    private volatile TestPlan plan;
    private int sessionMark;
    private static final List<String> CONFIG_ERRORS = new ArrayList<>();

    // ---------------------------------------------------------------- session (the summary failure)

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        sessionMark = LeakDetection.finishedMark();
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        List<String> problems = new ArrayList<>();
        synchronized (CONFIG_ERRORS) {
            problems.addAll(CONFIG_ERRORS);
            CONFIG_ERRORS.clear();
        }
        for (LeakDetector d : LeakDetection.sessionClosed(sessionMark)) {
            LeakDetection.runFailure(d).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            // JUnit does not catch what a session listener throws: the run (and Surefire's fork) fails.
            throw new LeaksDetectedError(String.join("\n", problems));
        }
    }

    // ---------------------------------------------------------------- test plan

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        // The platform first, whatever the leak mode: the earliest moment a configuration parameter is known.
        try {
            PlatformChoice.request(testPlan.getConfigurationParameters().get(PlatformChoice.KEY).orElse(null),
                    "JUnit configuration parameter");
        } catch (RuntimeException e) {
            System.err.println("managed-processes: " + e.getMessage() + ". The run will fail.");
            synchronized (CONFIG_ERRORS) {
                CONFIG_ERRORS.add(e.getMessage());
            }
            return;
        }
        List<String> warnings = new ArrayList<>();
        LeakSettings settings;
        try {
            settings = LeakSettings.read(testPlan.getConfigurationParameters()::get, warnings);
        } catch (IllegalArgumentException e) {
            System.err.println("managed-processes: " + e.getMessage() + ". Leak detection is off; the run will fail.");
            synchronized (CONFIG_ERRORS) {
                CONFIG_ERRORS.add(e.getMessage());
            }
            return;
        }
        warnings.forEach(w -> System.err.println("managed-processes: " + w));
        if (settings.mode() == LeakMode.OFF) {
            return;
        }
        this.plan = testPlan;
        LeakSettings chosen = settings;
        this.detector = LeakDetection.planStarted(settings, () -> new LeakDetector(Os.current(), chosen));
    }

    @Override
    public void executionStarted(TestIdentifier id) {
        if (detector != null && plan != null) {
            detector.started(ref(id), id.isContainer(), exempt(id.getSource()));
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (detector != null) {
            detector.finished(ref(id));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (detector != null) {
            LeakDetection.planFinished(detector);
            detector = null;
        }
    }

    private TestRef ref(TestIdentifier id) {
        List<String> names = new ArrayList<>();
        for (Optional<TestIdentifier> c = Optional.of(id); c.isPresent(); c = plan.getParent(c.get())) {
            if (c.get().getParentIdObject().isPresent()) { // skip the engine
                names.add(0, c.get().getDisplayName());
            }
        }
        return new TestRef(id.getUniqueId(), names.isEmpty() ? id.getDisplayName() : String.join(" > ", names));
    }

    private static boolean exempt(Optional<TestSource> source) {
        try {
            if (source.isPresent() && source.get() instanceof MethodSource m) {
                return allowed(m.getJavaMethod()) || allowed(m.getJavaClass());
            }
            if (source.isPresent() && source.get() instanceof ClassSource c) {
                return allowed(c.getJavaClass());
            }
        } catch (RuntimeException | LinkageError e) {
            // not loadable here: not exempt
        }
        return false;
    }

    static boolean allowed(AnnotatedElement element) {
        if (element.isAnnotationPresent(AllowProcessLeaks.class)) {
            return true;
        }
        return element instanceof Class<?> c && c.getEnclosingClass() != null && allowed(c.getEnclosingClass());
    }

    /** Leaks in fail mode that no test could be failed for. */
    public static final class LeaksDetectedError extends AssertionError {
        private static final long serialVersionUID = 1L;

        LeaksDetectedError(String message) {
            super(message);
        }
    }
}
