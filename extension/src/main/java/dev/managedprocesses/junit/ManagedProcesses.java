package dev.managedprocesses.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hands tests a {@link dev.managedprocesses.ProcessScope} and ends whatever it owns when the test
 * (or class) ends: SIGTERM to every process group and tracked process, a grace period, SIGKILL,
 * reap, then a check with a fresh process-table snapshot that nothing of the scope lives, including
 * descendants that escaped with {@code setsid} or a double fork.
 *
 * <pre>{@code
 * @ManagedProcesses
 * class ServerTest {
 *     @Test
 *     void answers(ProcessScope processes) {
 *         ManagedProcess server = processes.start("python3", "-u", "-m", "http.server", "0");
 *         server.stdout().awaitLine(Pattern.compile("port (\\d+)"), Duration.ofSeconds(10));
 *         ...
 *     } // the server and everything it forked are gone here
 * }
 * }</pre>
 *
 * <p>Where the scope lives follows JUnit's {@code @TempDir} rules: a parameter of a {@code @BeforeAll}
 * or {@code @AfterAll} method, or a {@code static} field, gets the scope of the whole class (shared by
 * its tests, ended after the last); a parameter of a {@code @BeforeEach}, test or {@code @AfterEach}
 * method, or an instance field, gets the scope of the test. {@code @AfterEach} and {@code @AfterAll}
 * methods see it still open: teardown comes after them. A constructor parameter is an error. Fields
 * are injected when annotated with {@link Scope}:
 *
 * <pre>{@code
 * @ManagedProcesses
 * class ClusterTest {
 *     @ManagedProcesses.Scope static ProcessScope cluster;   // shared by the class
 *     @ManagedProcesses.Scope ProcessScope clients;          // one per test
 * }
 * }</pre>
 *
 * <p>Suite-wide defaults come from configuration parameters ({@code junit-platform.properties},
 * system properties, or Surefire's {@code configurationParameters}):
 * {@value #GRACE_KEY} (e.g. {@code 2 s}) and
 * {@value #LEFTOVERS_KEY} ({@code kill} or {@code fail}).
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ManagedProcessesExtension.class)
public @interface ManagedProcesses {

    /** Configuration parameter: the default grace period between SIGTERM and SIGKILL, e.g. {@code 2 s}. */
    String GRACE_KEY = "managedprocesses.teardown.grace.default";

    /** Configuration parameter: what processes still running at teardown mean by default, {@code kill} or {@code fail}. */
    String LEFTOVERS_KEY = "managedprocesses.teardown.leftovers.default";

    /**
     * Configuration parameter: which teardown records are printed in the test's own output (all are published
     * as report entries): {@code notable} (the default: a process that needed SIGKILL, escaped its group, or
     * survived), {@code all} or {@code none}.
     */
    String RECORDS_KEY = "managedprocesses.teardown.records";

    /**
     * The grace period between SIGTERM and SIGKILL at teardown, such as {@code "2 s"}, {@code "500 ms"}
     * or {@code "PT1S"}. Empty (the default) means the suite-wide default, itself 2 s unless configured.
     * An invalid value fails the class, before any of its tests runs, with an
     * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} that says what is allowed.
     *
     * @return the grace period for the scopes of the annotated class, or empty for the suite-wide default
     */
    String gracePeriod() default "";

    /**
     * What it means when a test ends with processes still running.
     *
     * @return {@link Leftovers#KILL} to end them quietly, {@link Leftovers#FAIL} to end them and fail the
     *     test, or {@link Leftovers#DEFAULT} (the default) for the suite-wide setting
     */
    Leftovers leftovers() default Leftovers.DEFAULT;

    /**
     * Marks a field of type {@link dev.managedprocesses.ProcessScope} to be injected: a {@code static}
     * field gets the class's scope (the same one a {@code @BeforeAll} parameter gets), an instance field
     * the test's. It must not be {@code final}; any other type, or {@code final}, is an
     * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} naming the field.
     */
    @Target(ElementType.FIELD)
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @interface Scope {
    }

    /** What processes still running at the end of a test (or class) mean. */
    enum Leftovers {
        /** The suite-wide default ({@value #LEFTOVERS_KEY}), itself {@link #KILL}. */
        DEFAULT,
        /** End them, record what happened: leaving cleanup to the extension is normal. */
        KILL,
        /** End them, then fail the test: every test must end the processes it started. */
        FAIL
    }
}
