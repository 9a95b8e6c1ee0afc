package dev.managedprocesses.assertj;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;

/**
 * The entry point for assertions on processes, to import statically beside AssertJ's own
 * {@code Assertions.assertThat}:
 *
 * <pre>{@code
 * import static dev.managedprocesses.assertj.ProcessAssertions.assertThat;
 * import static org.assertj.core.api.Assertions.assertThat;
 *
 * assertThat(server).isAlive().isProcessGroupLeader();
 * assertThat(cli).exitedWithin(Duration.ofSeconds(10)).exitedWith(2);
 * assertThat(worker).wasKilledBy(Signal.TERM);
 * assertThat(handle).notReused();
 * }</pre>
 *
 * <p>Java picks these overloads over AssertJ's generic ones because they are more specific.
 * For soft assertions use {@link ProcessSoftAssertions}.
 */
public class ProcessAssertions {

    /** Use the static methods. Not final, so a project's own entry point can extend it. */
    protected ProcessAssertions() {
    }

    /**
     * Assertions on a process started or adopted by a {@code ProcessScope}: whether it runs, how it ended,
     * its process group, descendants and output (see {@link AbstractManagedProcessAssert}).
     *
     * <pre>{@code
     * assertThat(cli).exitedWithin(Duration.ofSeconds(10)).exitedWith(2);
     * }</pre>
     *
     * @param actual the process to check, may be {@code null} (every assertion then fails)
     * @return a new assertion object on {@code actual}
     */
    public static ManagedProcessAssert assertThat(ManagedProcess actual) {
        return new ManagedProcessAssert(actual);
    }

    /**
     * Assertions on a process identity (pid + start time + boot id): whether that very process still runs,
     * and whether its pid went to another (see {@link AbstractProcessIdentityAssert}).
     *
     * <pre>{@code
     * assertThat(server.identity()).isNotAlive();
     * }</pre>
     *
     * @param actual the identity to check, may be {@code null} (every assertion then fails)
     * @return a new assertion object on {@code actual}
     */
    public static ProcessIdentityAssert assertThat(ProcessIdentity actual) {
        return new ProcessIdentityAssert(actual);
    }

    /**
     * Assertions on a JDK process handle, for code under test that hands out {@code ProcessHandle}s
     * (see {@link AbstractProcessHandleAssert}).
     *
     * <pre>{@code
     * assertThat(worker.toHandle()).hasNoLiveDescendants();
     * }</pre>
     *
     * @param actual the handle to check, may be {@code null} (every assertion then fails)
     * @return a new assertion object on {@code actual}
     */
    public static ProcessHandleAssert assertThat(ProcessHandle actual) {
        return new ProcessHandleAssert(actual);
    }

    /**
     * Assertions on a JDK process, for code under test that starts processes with {@link ProcessBuilder}
     * (see {@link AbstractJdkProcessAssert}).
     *
     * <pre>{@code
     * assertThat(tool).exitedWithin(Duration.ofSeconds(10)).exitedWith(0);
     * }</pre>
     *
     * @param actual the process to check, may be {@code null} (every assertion then fails)
     * @return a new assertion object on {@code actual}
     */
    public static JdkProcessAssert assertThat(Process actual) {
        return new JdkProcessAssert(actual);
    }
}
