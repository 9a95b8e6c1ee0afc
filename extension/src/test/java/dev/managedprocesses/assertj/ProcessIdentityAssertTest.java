package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.ProcessAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ProcessIdentityAssert} on real processes. Its notReused() failure needs pid reuse: see NotReusedUnderPidReuseTest. */
class ProcessIdentityAssertTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private ProcessScope scope;

    @BeforeEach
    void open() {
        scope = ProcessScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static String failureOf(ThrowingCallable assertion) {
        AssertionError error = catchThrowableOfType(AssertionError.class, assertion);
        assertThat(error).as("the assertion should have failed").isNotNull();
        return error.getMessage();
    }

    private static String head(ProcessIdentity id, String expectation, String reason) {
        return "\nExpecting\n  <pid " + id.pid() + " (started at tick " + id.startTime() + ")>\n" + expectation
                + "\nbut " + reason + "\n";
    }

    /** A process that has ended and been reaped (its pid is free, unless the kernel recycled it meanwhile). */
    private ProcessIdentity reapedIdentity() throws Exception {
        ManagedProcess p = scope.start("true");
        assertThat(p.waitFor(TIMEOUT)).isPresent();
        assertThat(Proc.eventually(TIMEOUT, () -> !Proc.exists(p.pid()))).as("reaped").isTrue();
        return p.identity();
    }

    @Test
    void should_pass_when_the_identified_process_runs() {
        assertThat(scope.start("sleep", "100").identity()).isAlive().notReused();
    }

    @Test
    void should_fail_when_the_identified_process_is_gone() throws Exception {
        ProcessIdentity id = reapedIdentity();

        String message = failureOf(() -> assertThat(id).isAlive());

        assertThat(message).isEqualTo(head(id, "to be alive", "no process holds pid " + id.pid()));
    }

    @LinuxOnly("a zombie is told from a running process (its state in /proc)")
    @Test
    void should_fail_when_the_identified_process_is_a_zombie() throws Exception {
        ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & exit 5");
        assertThat(sh.waitFor(TIMEOUT)).isPresent();
        assertThat(Proc.state(sh.pid())).isEqualTo('Z');

        String message = failureOf(() -> assertThat(sh.identity()).isAlive());

        assertThat(message).isEqualTo(head(sh.identity(), "to be alive", "it is a zombie: it exited and its parent (pid "
                + ProcessHandle.current().pid() + ") has not reaped it yet"));
    }

    @Test
    void should_fail_when_the_identity_was_read_in_another_boot() {
        ProcessIdentity live = scope.start("sleep", "100").identity();
        ProcessIdentity earlierBoot = new ProcessIdentity(live.pid(), live.startTime(), "an-earlier-boot");

        String message = failureOf(() -> assertThat(earlierBoot).isAlive());

        assertThat(message).isEqualTo(head(earlierBoot, "to be alive", "it was read in another boot (boot id "
                + "an-earlier-boot; this boot is " + live.bootId() + ")"));
    }

    @Test
    void should_pass_when_the_identified_process_has_ended() throws Exception {
        assertThat(reapedIdentity()).isNotAlive().notReused();
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_fail_when_the_identified_process_expected_dead_still_runs() {
        ProcessIdentity id = scope.start("sleep", "100").identity();
        // Right after the spawn the child may not have exec'd yet, and its command line reads empty.
        assertThat(Proc.eventually(TIMEOUT, () -> commandLine(id.pid()).equals("sleep 100"))).isTrue();

        String message = failureOf(() -> assertThat(id).isNotAlive());

        assertThat(message).isEqualTo(head(id, "not to be alive", "it is still running: sleep 100"));
    }

    private static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_fail_notReused_when_another_process_holds_the_pid() {
        // An identity with an earlier start time than the live process that holds its pid: as if that
        // process had got the pid after the identified one ended.
        ProcessIdentity live = scope.start("sleep", "100").identity();
        assertThat(Proc.eventually(TIMEOUT, () -> commandLine(live.pid()).equals("sleep 100"))).isTrue();
        ProcessIdentity earlier = new ProcessIdentity(live.pid(), live.startTime() - 1, live.bootId());

        String message = failureOf(() -> assertThat(earlier).notReused());

        assertThat(message).isEqualTo(head(earlier, "not to have had its pid taken by another process",
                "pid " + live.pid() + " now belongs to pid " + live.pid() + " (started at tick " + live.startTime()
                        + "): sleep 100"));
    }

    @Test
    void should_pass_notReused_for_a_zombie_that_still_holds_its_pid() throws Exception {
        ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & exit 5");
        assertThat(sh.waitFor(TIMEOUT)).isPresent();
        assertThat(sh.identity()).notReused().isNotAlive();
    }
}
