package dev.managedprocesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.testing.PidReuse;
import dev.managedprocesses.testing.Proc;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A handle whose pid was recycled by a stranger never touches the stranger. Needs root. */
class PidReuseTest {

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

            // Start times have clock-tick (10 ms) resolution: a reuse within the same tick would have the
            // same identity (documented in ProcessIdentity). The handle itself never depends on that.
            Thread.sleep(20);
            Optional<Process> forced = PidReuse.startWithPid(pid, "sleep", "300");
            assumeTrue(forced.isPresent(), "Skipped: could not get pid " + pid + " reused in 50 tries");
            Process stranger = forced.get();
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
                assertThat(original.identity().isCurrent()).isFalse();
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
}
