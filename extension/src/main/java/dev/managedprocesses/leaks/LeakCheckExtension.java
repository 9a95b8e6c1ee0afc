package dev.managedprocesses.leaks;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.PlatformChoice;
import dev.managedprocesses.leaks.Finding.TestRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * Makes a leaking Jupiter test go red in {@code fail} mode: it checks for leaks inside the test's
 * own lifecycle ({@code afterEach}, {@code afterAll} for class fixtures), where a failure counts.
 * Auto-detected with {@code junit.jupiter.extensions.autodetection.enabled=true} (it is listed in
 * {@code META-INF/services}), or registered with {@code @ExtendWith(LeakCheckExtension.class)}.
 * Inert unless {@value LeakSettings#MODE_KEY} is set.
 *
 * <p>Only exact findings fail a test. An ambiguous one (under parallel execution, more than one test
 * or class fixture was running when the process started) fails none, since the test that would go red
 * could be the innocent one: it is reported with every candidate, and fails the run when the launcher
 * session closes.
 *
 * <p>It uses the detector of the launcher listener that watches the run; when there is none (a
 * launcher without the listener), it keeps one of its own for the engine run, and in fail mode fails the
 * engine's run (its root container) at the end for what no test was failed for.
 */
public class LeakCheckExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback {
    private static final Namespace NAMESPACE = Namespace.create(LeakCheckExtension.class);

    /** Made by JUnit (auto-detection or {@code @ExtendWith}); it holds no state of its own. */
    public LeakCheckExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        detector(context).ifPresent(d -> d.started(ref(context), true, exempt(context)));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        detector(context).ifPresent(d -> d.started(ref(context), false, exempt(context)));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        check(context, "Test " + ref(context).displayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        check(context, "Class " + ref(context).displayName());
    }

    private void check(ExtensionContext context, String what) {
        Optional<LeakDetector> detector = detector(context);
        if (detector.isEmpty()) {
            return;
        }
        LeakDetector d = detector.get();
        List<Finding> findings = d.finished(ref(context));
        if (d.settings().mode() == LeakMode.FAIL && !findings.isEmpty() && !exempt(context)) {
            d.markFailed(findings);
            throw new AssertionError(LeakDetection.failureMessage(what, findings, d));
        }
    }

    private static Optional<LeakDetector> detector(ExtensionContext context) {
        Optional<LeakDetector> watching = LeakDetection.watching(context.getUniqueId());
        if (watching.isPresent()) {
            return watching;
        }
        OwnDetector own = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(OwnDetector.class,
                k -> OwnDetector.create(context), OwnDetector.class);
        return Optional.ofNullable(own.detector);
    }

    private static TestRef ref(ExtensionContext context) {
        List<String> names = new ArrayList<>();
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent() && c.get().getParent().isPresent();
                c = c.get().getParent()) {
            names.add(0, c.get().getDisplayName());
        }
        String source = context.getTestClass().map(Class::getName).orElse("")
                + context.getTestMethod().map(m -> "#" + m.getName()).orElse("");
        return new TestRef(context.getUniqueId(), String.join(" > ", names), source);
    }

    private static boolean exempt(ExtensionContext context) {
        return context.getTestMethod().map(LeakDetectionListener::allowed).orElse(false)
                || context.getTestClass().map(LeakDetectionListener::allowed).orElse(false);
    }

    /** A detector for an engine run that no listener watches; closed (report, summary) with the run. */
    @SuppressWarnings("deprecation") // CloseableResource: JUnit before 5.13 only closes stored values of that type
    static final class OwnDetector implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        final LeakDetector detector;

        private OwnDetector(LeakDetector detector) {
            this.detector = detector;
        }

        static OwnDetector create(ExtensionContext context) {
            PlatformChoice.request(context.getConfigurationParameter(PlatformChoice.KEY).orElse(null),
                    "JUnit configuration parameter");
            LeakSettings settings = LeakSettings.read(context::getConfigurationParameter, new ArrayList<>());
            return new OwnDetector(settings.mode() == LeakMode.OFF ? null
                    : new LeakDetector(Os.current(), settings));
        }

        @Override
        public void close() {
            if (detector != null) {
                LeakDetection.closeWithSummary(detector);
                // No session listener will fail the run: the engine's root container fails instead.
                Optional<String> failure = LeakDetection.runFailure(detector);
                if (failure.isPresent()) {
                    throw new LeakDetectionListener.LeaksDetectedError(failure.get());
                }
            }
        }
    }
}
