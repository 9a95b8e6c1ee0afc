package dev.managedprocesses.leaks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.platform.engine.EngineDiscoveryRequest;
import org.junit.platform.engine.EngineExecutionListener;
import org.junit.platform.engine.ExecutionRequest;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestEngine;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.EngineDescriptor;

/**
 * Reports leaks in {@code fail} mode that no test went red for as failed tests of their own, one per
 * leaking test, named after it (class and method), so that a build tool shows them like any test failure
 * ("Tests run: 98, Failures: 1") instead of a failed launcher session, which Surefire reports as a crashed
 * fork. That covers tests of other engines (JUnit 4 through Vintage, whose tests a Jupiter extension cannot
 * fail), Jupiter tests without {@link LeakCheckExtension}, and ambiguous findings under parallel execution.
 *
 * <p>The JUnit Platform runs engines one after another, in the order it finds them on the class path; this
 * one reports what was found until it runs, so it covers the engines before it. With Maven that is the
 * order of the test dependencies: declare {@code managed-processes} after your JUnit engines. What an
 * engine after it leaks fails the run when the launcher session closes ({@link LeakSessionListener}).
 *
 * <p>Registered through {@code META-INF/services}. It discovers a test plan of its own only in fail
 * mode: otherwise the launcher drops it, and nobody sees it.
 */
public class LeakCheckEngine implements TestEngine {
    /** The engine's id, e.g. in unique ids: {@code [engine:managed-processes-leak-check]}. */
    public static final String ID = "managed-processes-leak-check";
    private static final String DISPLAY_NAME = "managed-processes leak check";

    /** Created by the launcher through {@code META-INF/services}. */
    public LeakCheckEngine() {
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public Optional<String> getGroupId() {
        return Optional.of("dev.managedprocesses");
    }

    @Override
    public Optional<String> getArtifactId() {
        return Optional.of("managed-processes");
    }

    @Override
    public TestDescriptor discover(EngineDiscoveryRequest request, UniqueId uniqueId) {
        LeakDetection.engineDiscovered(request.getConfigurationParameters()::get);
        boolean failMode;
        try {
            failMode = LeakSettings.read(request.getConfigurationParameters()::get, new ArrayList<>()).mode()
                    == LeakMode.FAIL;
        } catch (IllegalArgumentException e) {
            failMode = false; // an invalid mode fails the run through the listeners, with its message
        }
        return failMode ? new Root(uniqueId) : new EngineDescriptor(uniqueId, DISPLAY_NAME);
    }

    @Override
    public void execute(ExecutionRequest request) {
        TestDescriptor root = request.getRootTestDescriptor();
        EngineExecutionListener listener = request.getEngineExecutionListener();
        listener.executionStarted(root);
        Optional<LeakDetector> detector = LeakDetection.watching(root.getUniqueId().toString());
        LeakDetection.leakCheckRan();
        if (detector.isPresent()) {
            List<Finding> unfailed = detector.get().takeUnfailedForLeakCheck();
            if (!unfailed.isEmpty()) {
                report(root, listener, unfailed, detector.get());
            }
        }
        listener.executionFinished(root, TestExecutionResult.successful());
    }

    /** One container (a class, so that build tools count its tests), one failed test per leaking test. */
    private static void report(TestDescriptor root, EngineExecutionListener listener, List<Finding> findings,
            LeakDetector detector) {
        LeakCheckContainer container = new LeakCheckContainer(root.getUniqueId().append("leak-check", "leaks"));
        root.addChild(container);
        listener.dynamicTestRegistered(container);
        listener.executionStarted(container);
        int i = 0;
        for (List<Finding> group : LeakDetection.byCandidates(findings).values()) {
            Finding first = group.get(0);
            Finding.TestRef culprit = first.tests().get(0);
            String name = first.ambiguous() ? "ambiguous: " + String.join(", ",
                    first.tests().stream().map(Finding.TestRef::named).toList())
                    : culprit.source().isEmpty() ? culprit.displayName() : culprit.source();
            LeakCheckTest test = new LeakCheckTest(container.getUniqueId().append("leaked-by", String.valueOf(++i)), name);
            container.addChild(test);
            listener.dynamicTestRegistered(test);
            listener.executionStarted(test);
            LeakDetectionListener.LeaksDetectedError failure = new LeakDetectionListener.LeaksDetectedError(
                    LeakDetection.failureMessage(LeakDetection.heading(first), group, detector));
            failure.setStackTrace(new StackTraceElement[0]); // where it was found says nothing: the message says all
            listener.executionFinished(test, TestExecutionResult.failed(failure));
        }
        listener.executionFinished(container, TestExecutionResult.successful());
    }

    /** The engine's root in fail mode: it registers its tests while it runs, when it knows the leaks. */
    private static final class Root extends EngineDescriptor {
        Root(UniqueId uniqueId) {
            super(uniqueId, DISPLAY_NAME);
        }

        @Override
        public boolean mayRegisterTests() {
            return true;
        }
    }

    /** The class-like container of the leak check tests. */
    private static final class LeakCheckContainer extends AbstractTestDescriptor {
        LeakCheckContainer(UniqueId uniqueId) {
            super(uniqueId, DISPLAY_NAME, ClassSource.from(LeakCheckEngine.class));
        }

        @Override
        public Type getType() {
            return Type.CONTAINER;
        }
    }

    /** One leaking test (or set of ambiguous candidates), failed. */
    private static final class LeakCheckTest extends AbstractTestDescriptor {
        LeakCheckTest(UniqueId uniqueId, String displayName) {
            super(uniqueId, displayName, (TestSource) null);
        }

        @Override
        public Type getType() {
            return Type.TEST;
        }
    }
}
