package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.ProcessAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedprocesses.EndedBy;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.Signal;
import dev.managedprocesses.testing.Proc;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Processes adopted by pid or {@code ProcessHandle} end without an exit status (only their parent,
 * here the JDK, can read it): the assertions judge running or ended by the handle's identity-verified
 * {@code isAlive()}, and say when the status is unknown.
 */
class AdoptedProcessAssertTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String UNKNOWN = "it has ended, but its exit status is unknown: it was adopted by pid or "
            + "ProcessHandle, and only its parent can read the status (adopt the JDK Process to keep it)";
    private static final String UNKNOWN_STATUS = "ended, exit status unknown (adopted by pid or ProcessHandle)";

    private ProcessScope scope;
    private final List<Process> jdkProcesses = new ArrayList<>();

    @BeforeEach
    void open() {
        scope = ProcessScope.builder().name("adopted").gracePeriod(Duration.ofSeconds(2)).open();
    }

    @AfterEach
    void close() throws Exception {
        try {
            scope.close();
        } finally {
            for (Process p : jdkProcesses) {
                p.destroyForcibly();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("JDK process %d ended", p.pid()).isTrue();
                // The JDK keeps its three pipe descriptors open until they are closed or garbage-collected.
                p.getOutputStream().close();
                p.getInputStream().close();
                p.getErrorStream().close();
            }
        }
    }

    /** A JDK child that exits 3 once its stdin is closed (the JDK reaps it and keeps the status). */
    private Process jdkChild() throws IOException {
        Process p = new ProcessBuilder("sh", "-c", "read line; exit 3").start();
        jdkProcesses.add(p);
        return p;
    }

    /** Lets {@code jdk} exit, and waits until {@code adopted} has noticed. */
    private static ManagedProcess ended(Process jdk, ManagedProcess adopted) throws Exception {
        jdk.getOutputStream().close(); // EOF: read returns, sh exits 3
        assertThat(jdk.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(jdk.exitValue()).as("the JDK read the status").isEqualTo(3);
        assertThat(Proc.eventually(TIMEOUT, () -> adopted.endedBy().isPresent())).as("the end was noticed").isTrue();
        return adopted;
    }

    private static String failureOf(ThrowingCallable assertion) {
        AssertionError error = catchThrowableOfType(AssertionError.class, assertion);
        assertThat(error).as("the assertion should have failed").isNotNull();
        return error.getMessage();
    }

    @Test
    void should_pass_isNotAlive_notReused_and_exitedWithin_once_a_process_adopted_by_handle_ends() throws Exception {
        Process jdk = jdkChild();
        ManagedProcess adopted = scope.adopt(jdk.toHandle());
        assertThat(adopted).isAlive().notReused();

        jdk.getOutputStream().close();

        assertThat(adopted).exitedWithin(TIMEOUT).isNotAlive().notReused().hasNoLiveDescendants();
        assertThat(adopted.exitStatus()).as("only the JDK knows it").isEmpty();
        assertThat(adopted.endedBy()).contains(EndedBy.ITSELF);
    }

    @Test
    void should_pass_isNotAlive_notReused_and_exitedWithin_once_a_process_adopted_by_pid_ends() throws Exception {
        Process jdk = jdkChild();
        ManagedProcess adopted = scope.adopt(jdk.pid());

        ended(jdk, adopted);

        assertThat(adopted).isNotAlive().notReused().exitedWithin(Duration.ZERO);
    }

    @Test
    void should_fail_isAlive_saying_the_exit_status_is_unknown() throws Exception {
        Process jdk = jdkChild();
        ManagedProcess adopted = ended(jdk, scope.adopt(jdk.pid()));

        String message = failureOf(() -> assertThat(adopted).isAlive());

        assertThat(message).isEqualTo(Expected.head(adopted, "to be alive", UNKNOWN)
                + Expected.facts(adopted).status(UNKNOWN_STATUS + ", without a signal from this library")
                        .stderrNotCaptured());
    }

    @Test
    void should_fail_exitedWith_saying_the_exit_status_is_unknown() throws Exception {
        Process jdk = jdkChild();
        ManagedProcess adopted = ended(jdk, scope.adopt(jdk.toHandle()));

        String message = failureOf(() -> assertThat(adopted).exitedWith(0));

        assertThat(message).isEqualTo(Expected.head(adopted, "to have exited with code 0", UNKNOWN)
                + Expected.facts(adopted).status(UNKNOWN_STATUS + ", without a signal from this library")
                        .stderrNotCaptured());
    }

    @Test
    void should_fail_wasKilledBy_for_an_adopted_process_terminate_ended_saying_who_ended_it() throws Exception {
        Process jdk = jdkChild();
        ManagedProcess adopted = scope.adopt(jdk.pid());
        adopted.terminate();

        String message = failureOf(() -> assertThat(adopted).wasKilledBy(Signal.TERM));

        assertThat(message).isEqualTo(Expected.head(adopted, "to have been killed by SIGTERM", UNKNOWN)
                + Expected.facts(adopted).status(UNKNOWN_STATUS + ", after the SIGTERM of terminate() or the scope's teardown")
                        .stderrNotCaptured());
        assertThat(jdk.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(jdk.exitValue()).as("the JDK's view: 128 + SIGTERM").isEqualTo(143);
    }

    @Test
    void should_fail_isNotAlive_while_the_adopted_process_runs() throws Exception {
        Process jdk = jdkChild();
        ManagedProcess adopted = scope.adopt(jdk.pid());

        String message = failureOf(() -> assertThat(adopted).isNotAlive());

        assertThat(message).isEqualTo(Expected.head(adopted, "not to be alive", "it is still running")
                + Expected.facts(adopted).stderrNotCaptured());
    }

    /** The handle contract the assertions build on: the wait ends when the process does, saying the status is unknown. */
    @Test
    void should_end_waitFor_and_onExit_when_the_adopted_process_ends() throws Exception {
        Process jdk = jdkChild();
        ManagedProcess adopted = scope.adopt(jdk.pid());
        assertThat(adopted.waitFor(Duration.ofMillis(50))).as("still running").isEmpty();

        jdk.getOutputStream().close();

        String expected = Expected.subject(adopted) + " has ended, but its exit status is unknown: it was adopted by "
                + "pid or ProcessHandle, so only its parent can read the status (adopt the JDK Process instead to keep "
                + "it). To wait for its end without the status, wait until isAlive() is false";
        long start = System.nanoTime();
        assertThatThrownBy(() -> adopted.waitFor(TIMEOUT)).isInstanceOf(IllegalStateException.class).hasMessage(expected);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("at the end, not the timeout").isLessThan(TIMEOUT);
        assertThatThrownBy(adopted::waitFor).isInstanceOf(IllegalStateException.class).hasMessage(expected);
        assertThatThrownBy(() -> adopted.onExit().join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage(expected);
        assertThat(adopted.isAlive()).isFalse();
    }
}
