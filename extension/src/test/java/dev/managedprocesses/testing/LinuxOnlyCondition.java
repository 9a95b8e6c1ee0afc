package dev.managedprocesses.testing;

import dev.managedprocesses.ProcessPlatform;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Skips what {@link LinuxOnly} marks unless this JVM manages processes on the native Linux platform. */
public final class LinuxOnlyCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<LinuxOnly> marked = find(context.getElement().orElse(null));
        for (Class<?> c = context.getTestClass().orElse(null); marked.isEmpty() && c != null; c = c.getEnclosingClass()) {
            marked = find(c);
        }
        if (marked.isEmpty()) {
            return ConditionEvaluationResult.enabled("not marked @LinuxOnly");
        }
        ProcessPlatform platform = ProcessPlatform.current();
        if (platform == ProcessPlatform.LINUX) {
            return ConditionEvaluationResult.enabled("on the native Linux platform");
        }
        return ConditionEvaluationResult.disabled("Linux-only guarantee (" + marked.get().value() + "); this JVM uses the "
                + platform.id() + " platform");
    }

    private static Optional<LinuxOnly> find(AnnotatedElement element) {
        return element == null ? Optional.empty() : AnnotationSupport.findAnnotation(element, LinuxOnly.class);
    }
}
