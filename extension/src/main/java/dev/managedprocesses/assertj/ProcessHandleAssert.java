package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.ShouldBeAlive.shouldBeAlive;
import static dev.managedprocesses.assertj.ShouldHaveNoLiveDescendants.shouldHaveNoLiveDescendants;
import static dev.managedprocesses.assertj.ShouldNotBeAlive.shouldNotBeAlive;

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
 */
public class ProcessHandleAssert extends AbstractAssert<ProcessHandleAssert, ProcessHandle> {

    /**
     * Assertions on {@code actual}; {@link ProcessAssertions#assertThat(ProcessHandle)} is the usual
     * way to get one.
     *
     * @param actual the JDK handle to check, may be {@code null} (every assertion then fails)
     */
    public ProcessHandleAssert(ProcessHandle actual) {
        super(actual, ProcessHandleAssert.class);
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
    public ProcessHandleAssert isAlive() {
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
    public ProcessHandleAssert isNotAlive() {
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
    public ProcessHandleAssert hasNoLiveDescendants() {
        isNotNull();
        List<ProcessInfo> live = JdkLiveness.liveDescendants(actual);
        if (!live.isEmpty()) {
            throwAssertionError(shouldHaveNoLiveDescendants(actual, live));
        }
        return myself;
    }
}
