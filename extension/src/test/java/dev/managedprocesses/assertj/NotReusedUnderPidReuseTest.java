package dev.managedprocesses.assertj;

import dev.managedprocesses.testing.LinuxOnly;
import org.assertj.core.presentation.StandardRepresentation;
import org.assertj.core.description.TextDescription;
import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.assertj.error.ShouldNotBeReused;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code notReused()} under a real, forced pid reuse (root only: {@code /proc/sys/kernel/ns_last_pid};
 * skipped with the reason otherwise). The handle of a dead process whose pid now belongs to a
 * stranger passes {@code notReused()} and {@code isNotAlive()}, where a bare pid check says "alive".
 */
class NotReusedUnderPidReuseTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private ProcessScope scope;
    private ManagedProcess original;
    private ProcessHandle earlyJdkHandle;
    private Process stranger;
    private long strangerStart;

    /** Starts a process, lets it exit and be reaped, and hands its pid to a stranger ({@code sleep 300}). */
    @BeforeEach
    void recyclePid() throws Exception {
        String why = PidReuse.unavailableReason();
        assumeTrue(why == null, () -> "Skipped: " + why);
        scope = ProcessScope.open();

        original = scope.start("sh", "-c", "read line; exit 0");
        earlyJdkHandle = original.toHandle().orElseThrow();
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
        stranger = forced.get();
        strangerStart = Proc.startTime(pid);
        assertThat(strangerStart).as("a different process").isNotEqualTo(startTick);
    }

    @AfterEach
    void close() throws Exception {
        try {
            if (stranger != null) {
                assertThat(stranger.isAlive()).as("the stranger was never touched").isTrue();
                assertThat(Proc.startTime(stranger.pid())).isEqualTo(strangerStart);
                stranger.destroyForcibly();
                stranger.waitFor(10, TimeUnit.SECONDS);
                stranger.getOutputStream().close();
                stranger.getInputStream().close();
                stranger.getErrorStream().close();
            }
        } finally {
            if (scope != null) {
                scope.close();
            }
        }
    }

    @LinuxOnly("identity is /proc's start time in clock ticks since boot and the kernel's boot id")
    @Test
    void should_pass_notReused_and_isNotAlive_when_a_stranger_got_the_pid() {
        // A bare pid is fooled: the JDK finds "pid N" alive.
        assertThat(ProcessHandle.of(original.pid())).isPresent();

        // The library's handle is not, nor a JDK handle taken before the exit (it remembers the start
        // time), nor the identity.
        assertThat(original).notReused().isNotAlive().exitedWith(0).hasNoLiveDescendants();
        assertThat(earlyJdkHandle).isNotAlive();
        assertThat(original.identity()).isNotAlive();
    }

    @LinuxOnly("identity is /proc's start time in clock ticks since boot and the kernel's boot id")
    @Test
    void should_describe_the_stranger_when_a_handle_is_fooled_by_its_recycled_pid() {
        // ManagedProcess is sealed: every handle is the library's own, which never trusts a bare pid, so
        // notReused() fails only if the library itself is broken. Its message, for a handle fooled by the
        // stranger on its pid, names the stranger:
        long pid = original.pid();
        String reason = "pid " + pid + " now belongs to " + ProcessFacts.describe(ProcessIdentity.of(pid).orElseThrow())
                + ", yet the handle says it is alive and hands out a ProcessHandle for pid " + pid;

        String message = ShouldNotBeReused.shouldNotBeReused(original, reason)
                .create(new TextDescription(""), StandardRepresentation.STANDARD_REPRESENTATION);

        assertThat(message).isEqualTo(Expected.head(original, "not to be confused with another process that got its pid",
                "pid " + pid + " now belongs to pid " + pid + " (started at tick " + strangerStart + "): sleep 300, "
                        + "yet the handle says it is alive and hands out a ProcessHandle for pid " + pid)
                + Expected.facts(original).status("exited 0, on its own"));
    }

    @LinuxOnly("identity is /proc's start time in clock ticks since boot and the kernel's boot id")
    @Test
    void should_fail_notReused_when_the_identitys_pid_was_taken() {
        ProcessIdentity identity = original.identity();
        long pid = identity.pid();

        AssertionError error = catchThrowableOfType(AssertionError.class, () -> assertThat(identity).notReused());

        assertThat(error).hasMessage("\nExpecting\n  <pid " + pid + " (started at tick " + identity.startTime()
                + ")>\nnot to have had its pid taken by another process\n"
                + "but pid " + pid + " now belongs to pid " + pid + " (started at tick " + strangerStart + "): sleep 300\n");
    }

    @LinuxOnly("identity is /proc's start time in clock ticks since boot and the kernel's boot id")
    @Test
    void should_fail_isAlive_of_the_identity_whose_pid_was_taken() {
        ProcessIdentity identity = original.identity();
        long pid = identity.pid();

        AssertionError error = catchThrowableOfType(AssertionError.class, () -> assertThat(identity).isAlive());

        assertThat(error).hasMessage("\nExpecting\n  <pid " + pid + " (started at tick " + identity.startTime()
                + ")>\nto be alive\n"
                + "but pid " + pid + " now belongs to pid " + pid + " (started at tick " + strangerStart + "): sleep 300\n");
    }

    /** The kernel's clock in start-time ticks (USER_HZ, 100 per second): {@code /proc/uptime} in hundredths. */
    private static long uptimeTicks() {
        try {
            String uptime = Files.readString(Path.of("/proc/uptime")).split(" ")[0];
            return new BigDecimal(uptime).movePointRight(2).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
