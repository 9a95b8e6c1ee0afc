package dev.managedprocesses.leaks;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.PlatformChoice;
import dev.managedprocesses.leaks.Finding.TestRef;
import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
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
 * test was failed for (tests of other engines such as JUnit 4's Vintage, ambiguous findings under
 * parallel execution) are reported as failed tests by {@link LeakCheckEngine}, which runs after the
 * engines it follows on the class path, and what is left fails the run when the launcher session closes
 * ({@link LeakSessionListener}).
 *
 * <p>It implements no interface newer than JUnit Platform 1.0, so that a launcher that predates launcher
 * sessions (1.3.1, brought by maven-surefire-plugin 2.22) can load it: there it reads its configuration
 * from what the leak check engine saw at discovery (a 1.3 test plan has none), says once what it cannot do
 * there and what to upgrade, and closes its detector when the test plan ends.
 */
public class LeakDetectionListener implements TestExecutionListener {
    private static final boolean PLAN_HAS_CONFIGURATION = hasMethod(TestPlan.class, "getConfigurationParameters");
    private static final boolean LAUNCHER_HAS_SESSIONS =
            loadable("org.junit.platform.launcher.LauncherSessionListener");

    private volatile LeakDetector detector;
    private volatile TestPlan plan;

    /** Created by the launcher through {@code META-INF/services}. */
    public LeakDetectionListener() {
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        // The platform first, whatever the leak mode: the earliest moment a configuration parameter is known.
        try {
            PlatformChoice.request(configuration(testPlan).apply(PlatformChoice.KEY).orElse(null),
                    "JUnit configuration parameter");
        } catch (RuntimeException e) {
            System.err.println("managed-processes: " + e.getMessage() + ". The run will fail.");
            LeakDetection.configurationError(e.getMessage());
            return;
        }
        List<String> warnings = new ArrayList<>();
        LeakSettings settings;
        try {
            settings = LeakSettings.read(configuration(testPlan), warnings);
        } catch (IllegalArgumentException e) {
            System.err.println("managed-processes: " + e.getMessage() + ". Leak detection is off; the run will fail.");
            LeakDetection.configurationError(e.getMessage());
            return;
        }
        warnings.forEach(w -> System.err.println("managed-processes: " + w));
        if (settings.mode() == LeakMode.OFF) {
            return;
        }
        if (!LAUNCHER_HAS_SESSIONS) {
            LeakDetection.oldLauncher(launcherVersion());
        }
        this.plan = testPlan;
        LeakSettings chosen = settings;
        this.detector = LeakDetection.planStarted(settings, () -> new LeakDetector(Os.current(), chosen));
    }

    /** The plan's configuration (launcher 1.8+), else what the leak check engine saw, else system properties. */
    private static Function<String, Optional<String>> configuration(TestPlan testPlan) {
        if (PLAN_HAS_CONFIGURATION) {
            return testPlan.getConfigurationParameters()::get;
        }
        return LeakDetection.engineConfiguration().orElse(key -> Optional.ofNullable(System.getProperty(key)));
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
            if (plan.getParent(c.get()).isPresent()) { // skip the engine
                names.add(0, c.get().getDisplayName());
            }
        }
        return new TestRef(id.getUniqueId(), names.isEmpty() ? id.getDisplayName() : String.join(" > ", names),
                source(id.getSource()));
    }

    /** {@code com.example.FooTest#method}, {@code com.example.FooTest}, or empty. */
    static String source(Optional<TestSource> source) {
        if (source.isPresent() && source.get() instanceof MethodSource m) {
            return m.getClassName() + "#" + m.getMethodName();
        }
        if (source.isPresent() && source.get() instanceof ClassSource c) {
            return c.getClassName();
        }
        return "";
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

    private static boolean hasMethod(Class<?> type, String name) {
        try {
            type.getMethod(name);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static boolean loadable(String className) {
        try {
            Class.forName(className, false, TestPlan.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String launcherVersion() {
        String v = TestPlan.class.getPackage().getImplementationVersion();
        return v != null ? v : "(a version before 1.8)";
    }

    /** Leaks in fail mode that no test could be failed for, when the launcher session closes. */
    public static final class LeaksDetectedError extends AssertionError {
        private static final long serialVersionUID = 1L;

        LeaksDetectedError(String message) {
            super(message);
        }
    }
}
