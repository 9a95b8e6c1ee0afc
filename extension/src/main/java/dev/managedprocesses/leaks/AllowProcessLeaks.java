package dev.managedprocesses.leaks;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Opts a test method or class out of leak detection: processes it leaves running are neither
 * reported, failed nor killed. Say why.
 *
 * <pre>{@code
 * @Test
 * @AllowProcessLeaks("starts the shared docker daemon that later tests reuse")
 * void startsDaemon() { ... }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AllowProcessLeaks {
    /**
     * Why leaving processes behind is fine here.
     *
     * @return the reason, for the next reader
     */
    String value();
}
