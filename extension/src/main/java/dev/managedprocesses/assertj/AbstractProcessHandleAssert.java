package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.error.ShouldBeAlive.shouldBeAlive;
import static dev.managedprocesses.assertj.error.ShouldHaveNoLiveDescendants.shouldHaveNoLiveDescendants;
import static dev.managedprocesses.assertj.error.ShouldNotBeAlive.shouldNotBeAlive;

import dev.managedprocesses.internal.assertj.JdkLiveness;
import dev.managedprocesses.ProcessInfo;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a JDK {@link ProcessHandle}, for code under test that works with the JDK's handles.
 * Get one with {@link ProcessAssertions#assertThat(ProcessHandle)}.
 *
 * <pre>{@code
 * ProcessHandle handle = codeUnderTest.startWorker();
 * codeUnderTest.shutdown();
 * assertThat(handle).isNotAlive();
 * }</pre>
 *
 * <p>A {@code ProcessHandle} remembers its process's start time, so it is not fooled by a recycled
 * pid; but a new {@code ProcessHandle.of(pid)} names whoever holds the pid now. Unlike the JDK's
 * {@link ProcessHandle#isAlive()}, these assertions count a zombie (exited, not reaped by its
 * parent) as not alive.
 *
 * <p>Self-typed, as AssertJ's own abstract asserts are: extend it to add assertions of your own and keep
 * chaining. The concrete {@link ProcessHandleAssert} is what {@link ProcessAssertions#assertThat} returns.
 *
 * @param <SELF> the type of the concrete assert, returned by every assertion for chaining
 * @param <ACTUAL> the type of the value under test
 */
public abstract class AbstractProcessHandleAssert<SELF extends AbstractProcessHandleAssert<SELF, ACTUAL>, ACTUAL extends ProcessHandle>
        extends AbstractAssert<SELF, ACTUAL> {

    /**
     * For subclasses: {@code selfType} is the concrete assert's class, as AssertJ's {@code AbstractAssert} wants it.
     *
     * @param actual the value to check, may be {@code null} (every assertion then fails)
     * @param selfType the class of the concrete assert
     */
    protected AbstractProcessHandleAssert(ACTUAL actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /**
     * Verifies that the process runs (and is not a zombie).
     *
     * <pre>{@code
     * Process worker = new ProcessBuilder("sleep", "100").start();
     * // passes
     * assertThat(worker.toHandle()).isAlive();
     * worker.destroy();
     * worker.waitFor();
     * // fails: "but it has ended"
     * assertThat(worker.toHandle()).isAlive();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF isAlive() {
        isNotNull();
        Optional<String> why = JdkLiveness.whyNotAlive(actual);
        if (why.isPresent()) {
            throwAssertionError(shouldBeAlive(actual, why.get()));
        }
        return myself;
    }

    /**
     * Verifies that the process has ended; a zombie counts as ended.
     *
     * <pre>{@code
     * Process worker = new ProcessBuilder("sleep", "100").start();
     * // fails: "but it is still running"
     * assertThat(worker.toHandle()).isNotAlive();
     * worker.destroy();
     * worker.waitFor();
     * // passes
     * assertThat(worker.toHandle()).isNotAlive();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF isNotAlive() {
        isNotNull();
        if (JdkLiveness.whyNotAlive(actual).isEmpty()) {
            throwAssertionError(shouldNotBeAlive(actual));
        }
        return myself;
    }

    /**
     * Verifies that none of the process's descendants runs (zombies do not count).
     *
     * <pre>{@code
     * Process sh = new ProcessBuilder("sh", "-c", "sleep 100 & wait").start();
     * // fails: "but it has 1:" ... "pid 4243: sleep 100"
     * assertThat(sh.toHandle()).hasNoLiveDescendants();
     * sh.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
     * // passes, once the child is gone
     * await().untilAsserted(() -> assertThat(sh.toHandle()).hasNoLiveDescendants());
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF hasNoLiveDescendants() {
        isNotNull();
        List<ProcessInfo> live = JdkLiveness.liveDescendants(actual);
        if (!live.isEmpty()) {
            throwAssertionError(shouldHaveNoLiveDescendants(actual, live));
        }
        return myself;
    }
}
