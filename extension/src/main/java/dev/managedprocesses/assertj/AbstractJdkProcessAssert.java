package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.error.ShouldBeAlive.shouldBeAlive;
import static dev.managedprocesses.assertj.error.ShouldHaveExitedWith.shouldHaveExitedWith;
import static dev.managedprocesses.assertj.error.ShouldHaveExitedWithin.shouldHaveExitedWithin;
import static dev.managedprocesses.assertj.error.ShouldNotBeAlive.shouldNotBeAlive;

import dev.managedprocesses.internal.assertj.JdkLiveness;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a JDK {@link Process}, for code under test that starts processes with
 * {@link ProcessBuilder}. Get one with {@link ProcessAssertions#assertThat(Process)}.
 *
 * <pre>{@code
 * Process tool = new ProcessBuilder("sh", "-c", "exit 2").start();
 * assertThat(tool).exitedWithin(Duration.ofSeconds(10)).exitedWith(2);
 * }</pre>
 *
 * <p>The JDK reports a death by signal {@code n} as exit code {@code 128 + n} and cannot tell the two
 * apart; a {@code ManagedProcess} can ({@link ManagedProcessAssert#wasKilledBy}).
 *
 * <p>Self-typed, as AssertJ's own abstract asserts are: extend it to add assertions of your own and keep
 * chaining. The concrete {@link JdkProcessAssert} is what {@link ProcessAssertions#assertThat} returns.
 *
 * @param <SELF> the type of the concrete assert, returned by every assertion for chaining
 * @param <ACTUAL> the type of the value under test
 */
public abstract class AbstractJdkProcessAssert<SELF extends AbstractJdkProcessAssert<SELF, ACTUAL>, ACTUAL extends Process>
        extends AbstractAssert<SELF, ACTUAL> {

    /**
     * For subclasses: {@code selfType} is the concrete assert's class, as AssertJ's {@code AbstractAssert} wants it.
     *
     * @param actual the value to check, may be {@code null} (every assertion then fails)
     * @param selfType the class of the concrete assert
     */
    protected AbstractJdkProcessAssert(ACTUAL actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /**
     * Verifies that the process runs (and is not a zombie the JDK has yet to reap).
     *
     * <pre>{@code
     * // passes
     * assertThat(new ProcessBuilder("sleep", "100").start()).isAlive();
     * // fails: "but it exited with code 3"
     * Process p = new ProcessBuilder("sh", "-c", "exit 3").start();
     * p.waitFor();
     * assertThat(p).isAlive();
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
     * // fails: "but it is still running"
     * assertThat(new ProcessBuilder("sleep", "100").start()).isNotAlive();
     * // passes
     * Process p = new ProcessBuilder("true").start();
     * p.waitFor();
     * assertThat(p).isNotAlive();
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
     * Verifies that the process exited with {@code code} ({@link Process#exitValue()}, so a death by
     * signal {@code n} counts as {@code 128 + n}). Does not wait: use {@link #exitedWithin(Duration)} first.
     *
     * <pre>{@code
     * Process p = new ProcessBuilder("sh", "-c", "exit 2").start();
     * // passes
     * assertThat(p).exitedWithin(Duration.ofSeconds(10)).exitedWith(2);
     * // fails: "but it exited with code 2"
     * assertThat(p).exitedWith(0);
     * }</pre>
     *
     * @param code the expected exit value
     * @return {@code this} assertion object
     */
    public SELF exitedWith(int code) {
        isNotNull();
        Optional<Integer> exitValue = actual.isAlive() ? Optional.empty() : Optional.of(actual.exitValue());
        if (exitValue.isEmpty() || exitValue.get() != code) {
            throwAssertionError(shouldHaveExitedWith(actual, code, exitValue));
        }
        return myself;
    }

    /**
     * Waits up to {@code timeout} for the process to end, and fails if it is still running then.
     *
     * <pre>{@code
     * // passes
     * assertThat(new ProcessBuilder("true").start()).exitedWithin(Duration.ofSeconds(10));
     * // fails after 100 ms: "but it was still running after 100 ms"
     * assertThat(new ProcessBuilder("sleep", "100").start()).exitedWithin(Duration.ofMillis(100));
     * }</pre>
     *
     * @param timeout how long to wait at most
     * @return {@code this} assertion object
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public SELF exitedWithin(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative but was " + timeout);
        }
        isNotNull();
        boolean exited;
        boolean interrupted = false;
        try {
            exited = actual.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted = true;
            exited = !actual.isAlive();
        }
        if (!exited) {
            throwAssertionError(shouldHaveExitedWithin(actual, timeout, interrupted));
        }
        return myself;
    }
}
