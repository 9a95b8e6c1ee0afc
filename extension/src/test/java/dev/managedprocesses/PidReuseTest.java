package dev.managedprocesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.PidReuse;
import dev.managedprocesses.testing.Proc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A handle whose pid was recycled by a stranger never touches the stranger. Needs root. */
class PidReuseTest {

    @LinuxOnly("a handle never signals a recycled pid, proven with process-group signals and SIGSTOP")
    @Test
    void a_handle_whose_pid_was_recycled_never_signals_the_stranger() throws Exception {
        String why = PidReuse.unavailableReason();
        assumeTrue(why == null, () -> "Skipped: " + why);

        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess original = scope.start("true");
            assertThat(original.waitFor(Duration.ofSeconds(10))).contains(ExitStatus.exited(0));
            long pid = original.pid();
            assertThat(Proc.eventually(Duration.ofSeconds(10), () -> !Proc.exists(pid)))
                    .as("the library reaped its child").isTrue();

            Process stranger = PidReuse.strangerOn(pid);
            try {
                long strangerStart = Proc.startTime(pid);
                assertThat(ProcessHandle.of(pid)).as("a raw pid check is fooled").isPresent();

                assertThat(original.isAlive()).isFalse();
                assertThat(original.signal(Signal.KILL)).isFalse();
                assertThat(original.signalGroup(Signal.KILL)).isFalse();
                original.suspend();
                assertThat(original.terminate()).isEqualTo(ExitStatus.exited(0));
                assertThat(original.kill()).isEqualTo(ExitStatus.exited(0));
                assertThat(original.toHandle()).isEmpty();
                assertThat(Proc.isRunning(original.identity())).isFalse();
                // found by the assertions work: nothing of the stranger is reported as ours
                assertThat(original.descendants()).isEmpty();
                assertThat(original.isProcessGroupLeader()).isFalse();

                assertThat(stranger.isAlive()).isTrue();
                assertThat(Proc.state(pid)).as("not stopped either").isNotEqualTo('T');
                assertThat(Proc.startTime(pid)).isEqualTo(strangerStart);
            } finally {
                stranger.destroyForcibly();
                stranger.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The same for handles that were adopted (tracked through a pidfd, or by pid + start time without one). */
    @LinuxOnly("a handle never signals a recycled pid, proven with process-group signals and SIGSTOP")
    @Test
    @SuppressWarnings("try") // the scope is closed inside its try block on purpose: teardown is under test
    void an_adopted_handle_whose_pid_was_recycled_never_signals_the_stranger() throws Exception {
        String why = PidReuse.unavailableReason();
        assumeTrue(why == null, () -> "Skipped: " + why);

        try (ProcessScope scope = ProcessScope.open()) {
            Process jdk = new ProcessBuilder("sleep", "0.2").start();
            jdk.getOutputStream().close();
            jdk.getInputStream().close();
            jdk.getErrorStream().close();
            ManagedProcess byProcess = scope.adopt(jdk);
            ManagedProcess byPid = scope.adopt(jdk.pid());
            long pid = jdk.pid();
            assertThat(jdk.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Proc.eventually(Duration.ofSeconds(10), () -> !Proc.exists(pid)))
                    .as("the JDK reaped its child").isTrue();

            Process stranger = PidReuse.strangerOn(pid);
            try {
                long strangerStart = Proc.startTime(pid);
                assertThat(ProcessHandle.of(pid)).as("a raw pid check is fooled").isPresent();
                for (ManagedProcess adopted : java.util.List.of(byProcess, byPid)) {
                    assertThat(adopted.isAlive()).isFalse();
                    assertThat(adopted.signal(Signal.KILL)).isFalse();
                    adopted.suspend();
                    adopted.terminate();
                    adopted.kill();
                    assertThat(adopted.toHandle()).isEmpty();
                    assertThat(Proc.isRunning(adopted.identity())).isFalse();
                    assertThat(adopted.descendants()).isEmpty();
                }
                assertThat(byProcess.exitStatus()).contains(ExitStatus.exited(0));
                scope.close(); // teardown of both handles, with the stranger holding their pid

                assertThat(stranger.isAlive()).isTrue();
                assertThat(Proc.state(pid)).as("not stopped either").isNotEqualTo('T');
                assertThat(Proc.startTime(pid)).isEqualTo(strangerStart);
            } finally {
                stranger.destroyForcibly();
                stranger.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
