package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.error.ShouldBeAlive.shouldBeAlive;
import static dev.managedprocesses.assertj.error.ShouldNotBeAlive.shouldNotBeAlive;
import static dev.managedprocesses.assertj.error.ShouldNotHaveItsPidTaken.shouldNotHaveItsPidTaken;

import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.internal.core.ProcessLookup;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link ProcessIdentity} (pid + start time + boot id): whether that very process
 * still runs, and whether its pid has gone to another process. Get one with
 * {@link ProcessAssertions#assertThat(ProcessIdentity)}.
 *
 * <pre>{@code
 * ProcessIdentity id = server.identity();
 * server.terminate();
 * assertThat(id).isNotAlive();
 * }</pre>
 *
 * <p>An identity is compared to whatever holds its pid now by start time, to the kernel's clock tick
 * (10 ms): a pid recycled within the same tick cannot be told apart (see {@link ProcessIdentity}).
 *
 * <p>Self-typed, as AssertJ's own abstract asserts are: extend it to add assertions of your own and keep
 * chaining. The concrete {@link ProcessIdentityAssert} is what {@link ProcessAssertions#assertThat} returns.
 *
 * @param <SELF> the type of the concrete assert, returned by every assertion for chaining
 * @param <ACTUAL> the type of the value under test
 */
public abstract class AbstractProcessIdentityAssert<SELF extends AbstractProcessIdentityAssert<SELF, ACTUAL>, ACTUAL extends ProcessIdentity>
        extends AbstractAssert<SELF, ACTUAL> {

    /**
     * For subclasses: {@code selfType} is the concrete assert's class, as AssertJ's {@code AbstractAssert} wants it.
     *
     * @param actual the value to check, may be {@code null} (every assertion then fails)
     * @param selfType the class of the concrete assert
     */
    protected AbstractProcessIdentityAssert(ACTUAL actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /**
     * Verifies that this very process runs: its pid is held by a live (non-zombie) process with the
     * same start time, in this boot.
     *
     * <pre>{@code
     * ManagedProcess p = scope.start("sleep", "100");
     * // passes
     * assertThat(p.identity()).isAlive();
     * p.kill();
     * // fails: "but no process holds pid 4242"
     * assertThat(p.identity()).isAlive();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF isAlive() {
        isNotNull();
        if (!ProcessLookup.isRunning(actual)) {
            throwAssertionError(shouldBeAlive(actual, whyNotAlive()));
        }
        return myself;
    }

    /**
     * Verifies that this very process no longer runs: its pid is free, held by its zombie, or held by
     * another process.
     *
     * <pre>{@code
     * ManagedProcess p = scope.start("sleep", "100");
     * // fails: "but it is still running: sleep 100"
     * assertThat(p.identity()).isNotAlive();
     * p.kill();
     * // passes, even once the pid is recycled
     * assertThat(p.identity()).isNotAlive();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF isNotAlive() {
        isNotNull();
        if (ProcessLookup.isRunning(actual)) {
            String command = ProcessLookup.holder(actual.pid()).map(ProcessInfo::commandLine).orElse("?");
            throwAssertionError(shouldNotBeAlive(actual, command));
        }
        return myself;
    }

    /**
     * Verifies that no other process holds this identity's pid: it is free, or held (alive or as a
     * zombie) by this very process.
     *
     * <pre>{@code
     * ProcessIdentity id = scope.start("sleep", "100").identity();
     * // passes
     * assertThat(id).notReused();
     * // fails once the process is gone and the kernel has given pid 4242 to another process:
     * // "but pid 4242 now belongs to pid 4242 (started at tick 9811): sleep 300"
     * assertThat(id).notReused();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF notReused() {
        isNotNull();
        Optional<ProcessInfo> holder = ProcessLookup.holder(actual.pid());
        if (holder.isPresent() && !isThisProcess(holder.get())) {
            throwAssertionError(shouldNotHaveItsPidTaken(actual, ProcessFacts.describe(holder.get())));
        }
        return myself;
    }

    private boolean isThisProcess(ProcessInfo holder) {
        return holder.startTime() == actual.startTime() && actual.bootId().equals(ProcessLookup.bootId());
    }

    private String whyNotAlive() {
        String boot = ProcessLookup.bootId();
        if (!actual.bootId().equals(boot)) {
            return "it was read in another boot (boot id " + actual.bootId() + "; this boot is " + boot + ")";
        }
        Optional<ProcessInfo> holder = ProcessLookup.holder(actual.pid());
        if (holder.isEmpty()) {
            return "no process holds pid " + actual.pid();
        }
        if (!isThisProcess(holder.get())) {
            return "pid " + actual.pid() + " now belongs to " + ProcessFacts.describe(holder.get());
        }
        if (!holder.get().isAlive()) {
            return "it is a zombie: it exited and its parent (pid " + holder.get().ppid() + ") has not reaped it yet";
        }
        return "it ended while it was being checked";
    }
}
