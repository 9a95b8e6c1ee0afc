package dev.managedprocesses.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test checks a guarantee that only the native Linux platform gives (process groups, pidfds, the scope
 * cookie, the subreaper, the janitor, every signal...). On the portable platform
 * ({@code -Dmanagedprocesses.platform=portable}, and every system but Linux) it is skipped, and the skip
 * names the guarantee: the portable execution in {@code extension/pom.xml} shows each one as skipped, never
 * as passed.
 *
 * <pre>{@code
 * @Test
 * @LinuxOnly("a started process leads a process group of its own")
 * void child_leads_its_own_process_group() { ... }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LinuxOnlyCondition.class)
public @interface LinuxOnly {
    /** The Linux-only guarantee the test depends on, as the skip reason shows it. */
    String value();
}
