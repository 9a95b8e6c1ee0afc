package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.ShouldBeAlive.shouldBeAlive;
import static dev.managedprocesses.assertj.ShouldNotBeAlive.shouldNotBeAlive;
import static dev.managedprocesses.assertj.ShouldNotHaveItsPidTaken.shouldNotHaveItsPidTaken;

import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.internal.os.ProcStat;
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
 */
public class ProcessIdentityAssert extends AbstractAssert<ProcessIdentityAssert, ProcessIdentity> {

    /**
     * Assertions on {@code actual}; {@link ProcessAssertions#assertThat(ProcessIdentity)} is the usual
     * way to get one.
     *
     * @param actual the identity to check, may be {@code null} (every assertion then fails)
     */
    public ProcessIdentityAssert(ProcessIdentity actual) {
        super(actual, ProcessIdentityAssert.class);
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
    public ProcessIdentityAssert isAlive() {
        isNotNull();
        if (!actual.isCurrent()) {
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
    public ProcessIdentityAssert isNotAlive() {
        isNotNull();
        if (actual.isCurrent()) {
            OsProcesses os = OsProcesses.instance();
            String command = os.stat(actual.pid()).flatMap(os::describe).map(ProcessInfo::commandLine).orElse("?");
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
    public ProcessIdentityAssert notReused() {
        isNotNull();
        OsProcesses os = OsProcesses.instance();
        Optional<ProcStat> holder = os.stat(actual.pid());
        if (holder.isPresent() && !isThisProcess(holder.get(), os)) {
            throwAssertionError(shouldNotHaveItsPidTaken(actual, ProcessFacts.describe(holder.get())));
        }
        return myself;
    }

    private boolean isThisProcess(ProcStat stat, OsProcesses os) {
        return stat.startTime() == actual.startTime() && actual.bootId().equals(os.bootId());
    }

    private String whyNotAlive() {
        OsProcesses os = OsProcesses.instance();
        if (!actual.bootId().equals(os.bootId())) {
            return "it was read in another boot (boot id " + actual.bootId() + "; this boot is " + os.bootId() + ")";
        }
        Optional<ProcStat> holder = os.stat(actual.pid());
        if (holder.isEmpty()) {
            return "no process holds pid " + actual.pid();
        }
        if (!isThisProcess(holder.get(), os)) {
            return "pid " + actual.pid() + " now belongs to " + ProcessFacts.describe(holder.get());
        }
        if (holder.get().isGone()) {
            return "it is a zombie: it exited and its parent (pid " + holder.get().ppid() + ") has not reaped it yet";
        }
        return "it ended while it was being checked";
    }
}
