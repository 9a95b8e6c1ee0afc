package dev.managedprocesses.leaks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs fixture classes under the leak detector one of two ways, and collects the same facts from
 * either: what each test and container ended with, what failed the run as a whole, and what went to
 * stderr meanwhile (captured, so that passing tests keep the build quiet).
 */
final class LeakRun {

    /** How the fixtures run. */
    enum Via {
        /**
         * EngineTestKit: no launcher listener is ever called, so {@link LeakCheckExtension} keeps a
         * detector of its own; a run failure fails the engine's root container.
         */
        ENGINE_TEST_KIT,
        /**
         * A real launcher session with {@link LeakDetectionListener} and {@link LeakSessionListener} registered
         * through {@code META-INF/services}, as in a Surefire or Gradle build, and {@link LeakCheckEngine} after
         * the Jupiter engine (as when managed-processes is declared after JUnit): a run failure is a failed test
         * of the leak check engine, or thrown when the session closes.
         */
        LAUNCHER_WITH_LISTENER
    }

    /** One finished test or container. */
    record Result(String displayName, String uniqueId, boolean test, TestExecutionResult result) {
        boolean failed() {
            return result.getStatus() == TestExecutionResult.Status.FAILED;
        }

        String failureMessage() {
            return result.getThrowable().map(Throwable::getMessage).orElse(null);
        }
    }

    /** What a run did. */
    record Outcome(List<Result> results, Optional<Throwable> runFailure, String stderr) {
        List<Result> tests() {
            return results.stream().filter(Result::test).toList();
        }

        long testsSucceeded() {
            return tests().stream().filter(r -> r.result().getStatus() == TestExecutionResult.Status.SUCCESSFUL).count();
        }

        long testsFailed() {
            return tests().stream().filter(Result::failed).count();
        }

        /** The failed tests and containers. */
        List<Result> failures() {
            return results.stream().filter(Result::failed).toList();
        }

        /** The test or container with this display name (its own, not its parents'). */
        Result named(String displayName) {
            List<Result> found = results.stream().filter(r -> r.displayName().equals(displayName)).toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one result named '" + displayName + "' but found " + found.size()
                        + " among " + results);
            }
            return found.get(0);
        }

        String runFailureMessage() {
            return runFailure.map(Throwable::getMessage).orElse(null);
        }
    }

    private LeakRun() {
    }

    /** Runs {@code fixtures} with these configuration parameters (key, value, key, value...). */
    static Outcome run(Via via, List<Class<?>> fixtures, Map<String, String> config) {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return via == Via.ENGINE_TEST_KIT ? viaEngineTestKit(fixtures, config, err)
                    : viaLauncher(fixtures, config, err);
        } finally {
            System.setErr(originalErr);
        }
    }

    static Map<String, String> config(String... keysAndValues) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            out.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    private static List<ClassSelector> selectors(List<Class<?>> fixtures) {
        return fixtures.stream().map(c -> selectClass(c)).toList();
    }

    private static Outcome viaEngineTestKit(List<Class<?>> fixtures, Map<String, String> config,
            ByteArrayOutputStream err) {
        var kit = EngineTestKit.engine("junit-jupiter").selectors(selectors(fixtures).toArray(new ClassSelector[0]))
                .configurationParameters(config);
        List<Result> results = new ArrayList<>();
        Optional<Throwable> runFailure = Optional.empty();
        for (Event e : kit.execute().allEvents().finished().list()) {
            TestExecutionResult r = e.getRequiredPayload(TestExecutionResult.class);
            var d = e.getTestDescriptor();
            results.add(new Result(d.getDisplayName(), d.getUniqueId().toString(), d.isTest(), r));
            if (d.getParent().isEmpty() && r.getStatus() == TestExecutionResult.Status.FAILED) {
                runFailure = r.getThrowable(); // the engine's root container
            }
        }
        return new Outcome(results, runFailure, stderr(err));
    }

    /** The test engines on the class path, the leak check engine last (or first). */
    static TestEngine[] engines(boolean leakCheckLast) {
        List<TestEngine> engines = new ArrayList<>();
        ServiceLoader.load(TestEngine.class).forEach(engines::add);
        engines.sort(java.util.Comparator.comparing(e -> e instanceof LeakCheckEngine == leakCheckLast));
        return engines.toArray(new TestEngine[0]);
    }

    private static Outcome viaLauncher(List<Class<?>> fixtures, Map<String, String> config,
            ByteArrayOutputStream err) {
        // Listener auto-registration on (the default): LeakDetectionListener comes from META-INF/services.
        // The engines in a fixed order, the leak check last; the class path of this build would put it first.
        LauncherConfig launcherConfig = LauncherConfig.builder().enablePostDiscoveryFilterAutoRegistration(false)
                .enableTestEngineAutoRegistration(false)
                .addTestEngines(engines(true)).build();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors(fixtures)).configurationParameters(config)
                // the fixtures register the extension with @ExtendWith; nothing else is wanted
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .build();
        List<Result> results = Collections.synchronizedList(new ArrayList<>());
        TestExecutionListener collect = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                results.add(new Result(id.getDisplayName(), id.getUniqueId(), id.isTest(), result));
            }
        };
        Optional<Throwable> runFailure = Optional.empty();
        LauncherSession session = LauncherFactory.openSession(launcherConfig);
        try {
            session.getLauncher().execute(request, collect);
        } finally {
            try {
                session.close();
            } catch (LeakDetectionListener.LeaksDetectedError e) {
                runFailure = Optional.of(e);
            }
        }
        List<Result> ofTests = new ArrayList<>();
        for (Result r : results) {
            if (r.uniqueId().startsWith("[engine:" + LeakCheckEngine.ID + "]")) {
                if (r.failed()) { // the leak check engine's failed test: how this launcher fails the run
                    runFailure = runFailure.or(() -> r.result().getThrowable());
                }
                continue;
            }
            if (r.uniqueId().indexOf('/') < 0 && r.failed()) {
                runFailure = runFailure.or(() -> r.result().getThrowable());
            }
            ofTests.add(r);
        }
        return new Outcome(List.copyOf(ofTests), runFailure, stderr(err));
    }

    /** What was printed on stderr, without the once-per-JVM containment notice (whichever run came first). */
    private static String stderr(ByteArrayOutputStream err) {
        return err.toString(StandardCharsets.UTF_8).replaceAll("(?m)^managed-processes: containment: .*\\R", "");
    }
}
