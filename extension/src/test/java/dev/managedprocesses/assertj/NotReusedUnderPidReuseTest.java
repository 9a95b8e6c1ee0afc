package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.ProcessAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.testing.PidReuse;
import dev.managedprocesses.testing.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code notReused()} under a real, forced pid reuse (root only: {@code /proc/sys/kernel/ns_last_pid}).
 * The handle of a dead process whose pid now belongs to a stranger passes {@code notReused()} and
 * {@code isNotAlive()}, where a bare pid check says "alive".
 */
class NotReusedUnderPidReuseTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** The kernel's clock in start-time ticks (USER_HZ, 100 per second): {@code /proc/uptime} in hundredths. */
    private static long uptimeTicks() {
        try {
            String uptime = Files.readString(Path.of("/proc/uptime")).split(" ")[0];
            return new BigDecimal(uptime).movePointRight(2).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void should_pass_notReused_and_isNotAlive_when_a_stranger_got_the_pid_and_fail_for_pid_based_checks()
            throws Exception {
        String why = PidReuse.unavailableReason();
        assumeTrue(why == null, () -> "Skipped: " + why);

        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess original = scope.start("sh", "-c", "read line; exit 0");
            ProcessHandle earlyJdkHandle = original.toHandle().orElseThrow();
            original.stdin().close(); // EOF: read returns, sh exits 0
            assertThat(original).exitedWithin(TIMEOUT).exitedWith(0);
            long pid = original.pid();
            assertThat(Proc.eventually(TIMEOUT, () -> !Proc.exists(pid))).as("the library reaped its child").isTrue();

            // Start times count 10 ms clock ticks: a reuse within the original's tick could not be told
            // apart (see ProcessIdentity). Let the clock move on first.
            long startTick = original.identity().startTime();
            assertThat(Proc.eventually(TIMEOUT, () -> uptimeTicks() > startTick + 1)).isTrue();

            Optional<Process> forced = PidReuse.startWithPid(pid, "sleep", "300");
            assumeTrue(forced.isPresent(), "Skipped: could not get pid " + pid + " reused in 50 tries");
            Process stranger = forced.get();
            try {
                long strangerStart = Proc.startTime(pid);
                ProcessIdentity identity = original.identity();
                assertThat(strangerStart).as("a different process").isNotEqualTo(identity.startTime());

                // A bare pid is fooled: the JDK finds "pid N" alive.
                assertThat(ProcessHandle.of(pid)).isPresent();

                // The library's handle is not.
                assertThat(original).notReused().isNotAlive().exitedWith(0).hasNoLiveDescendants();
                // Nor is a JDK handle taken before the exit (it remembers the start time), nor the identity.
                assertThat(earlyJdkHandle).isNotAlive();
                assertThat(identity).isNotAlive();

                // The identity's pid has gone to another process: notReused() on the identity says so.
                AssertionError identityError = catchThrowableOfType(AssertionError.class,
                        () -> assertThat(identity).notReused());
                assertThat(identityError).hasMessage("\nExpecting\n  <pid " + pid + " (started at tick "
                        + identity.startTime() + ")>\nnot to have had its pid taken by another process\n"
                        + "but pid " + pid + " now belongs to pid " + pid + " (started at tick " + strangerStart
                        + "): sleep 300\n");

                // A handle that trusts the pid is confused: notReused() fails and names the stranger.
                ManagedProcess naive = new PidTrustingProcess(original);
                AssertionError naiveError = catchThrowableOfType(AssertionError.class, () -> assertThat(naive).notReused());
                assertThat(naiveError).hasMessage(Expected.head(naive,
                        "not to be confused with another process that got its pid",
                        "pid " + pid + " now belongs to pid " + pid + " (started at tick " + strangerStart
                                + "): sleep 300, yet the handle says it is alive and hands out a ProcessHandle for pid "
                                + pid)
                        + Expected.facts(original).status("exited 0, on its own"));

                assertThat(stranger.isAlive()).as("the stranger was never touched").isTrue();
                assertThat(Proc.startTime(pid)).isEqualTo(strangerStart);
            } finally {
                stranger.destroyForcibly();
                stranger.waitFor(10, TimeUnit.SECONDS);
                stranger.getOutputStream().close();
                stranger.getInputStream().close();
                stranger.getErrorStream().close();
            }
        }
    }
}
