package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.ProcessAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ProcessHandleAssert} and {@link JdkProcessAssert}, for code under test that uses the JDK's process API. */
class JdkAssertionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private ProcessScope scope;
    private final List<Process> jdkProcesses = new ArrayList<>();

    @BeforeEach
    void open() {
        scope = ProcessScope.open();
    }

    @AfterEach
    void close() throws Exception {
        try {
            for (Process p : jdkProcesses) {
                p.destroyForcibly();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("JDK process %d ended", p.pid()).isTrue();
                // The JDK keeps its three pipe descriptors open until they are closed or garbage-collected.
                p.getOutputStream().close();
                p.getInputStream().close();
                p.getErrorStream().close();
            }
        } finally {
            scope.close();
        }
    }

    private Process jdk(String... command) throws IOException {
        Process p = new ProcessBuilder(command).start();
        jdkProcesses.add(p);
        return p;
    }

    private Process ended(Process p) throws InterruptedException {
        assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return p;
    }

    private static String failureOf(ThrowingCallable assertion) {
        AssertionError error = catchThrowableOfType(AssertionError.class, assertion);
        assertThat(error).as("the assertion should have failed").isNotNull();
        return error.getMessage();
    }

    private static String head(long pid, String expectation, String reason) {
        return "\nExpecting\n  <pid " + pid + ">\n" + expectation + "\nbut " + reason + "\n";
    }

    /** The JDK handle of a group leader held as a zombie: {@code ProcessHandle.isAlive()} says true. */
    private ProcessHandle zombieHandle() throws Exception {
        ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & read line; exit 5");
        ProcessHandle handle = sh.toHandle().orElseThrow();
        sh.stdin().close();
        assertThat(sh.waitFor(TIMEOUT)).isPresent();
        assertThat(Proc.state(sh.pid())).isEqualTo('Z');
        return handle;
    }

    // ---------------------------------------------------------------- ProcessHandle

    @Test
    void should_pass_when_the_jdk_handle_runs() {
        assertThat(scope.start("sleep", "100").toHandle().orElseThrow()).isAlive();
    }

    @Test
    void should_fail_when_the_jdk_handle_has_ended() throws Exception {
        Process p = ended(jdk("true"));

        String message = failureOf(() -> assertThat(p.toHandle()).isAlive());

        assertThat(message).isEqualTo(head(p.pid(), "to be alive", "it has ended"));
    }

    @LinuxOnly("a zombie is told from a running process (its state in /proc)")
    @Test
    void should_fail_when_the_jdk_handle_names_a_zombie_the_jdk_calls_alive() throws Exception {
        ProcessHandle handle = zombieHandle();
        assertThat(handle.isAlive()).as("the JDK counts a zombie as alive").isTrue();

        String message = failureOf(() -> assertThat(handle).isAlive());

        assertThat(message).isEqualTo(head(handle.pid(), "to be alive", "it is a zombie: it exited and its parent (pid "
                + ProcessHandle.current().pid() + ") has not reaped it yet"));
    }

    @LinuxOnly("a zombie is told from a running process (its state in /proc)")
    @Test
    void should_pass_when_the_jdk_handle_has_ended_or_is_a_zombie() throws Exception {
        assertThat(ended(jdk("true")).toHandle()).isNotAlive();
        assertThat(zombieHandle()).isNotAlive();
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_fail_when_the_jdk_handle_expected_dead_still_runs() throws Exception {
        Process p = jdk("sleep", "100");

        String message = failureOf(() -> assertThat(p.toHandle()).isNotAlive());

        assertThat(message).isEqualTo(head(p.pid(), "not to be alive", "it is still running: sleep 100"));
    }

    @Test
    void should_pass_when_the_jdk_handle_has_no_live_descendants() {
        assertThat(scope.start("sleep", "100").toHandle().orElseThrow()).hasNoLiveDescendants();
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_fail_when_the_jdk_handle_has_a_live_descendant() {
        ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & wait");
        assertThat(Proc.eventually(TIMEOUT, () -> sh.descendants().stream()
                .anyMatch(d -> d.commandLine().equals("sleep 100")))).isTrue();
        ProcessInfo child = sh.descendants().get(0);

        String message = failureOf(() -> assertThat(sh.toHandle().orElseThrow()).hasNoLiveDescendants());

        assertThat(message).isEqualTo(head(sh.pid(), "to have no live descendants", "it has 1:")
                + "  pid " + child.pid() + ": sleep 100\n");
    }

    // ---------------------------------------------------------------- Process

    @Test
    void should_pass_when_the_jdk_process_runs() throws Exception {
        assertThat(jdk("sleep", "100")).isAlive();
    }

    @Test
    void should_fail_when_the_jdk_process_has_exited() throws Exception {
        Process p = ended(jdk("sh", "-c", "exit 3"));

        String message = failureOf(() -> assertThat(p).isAlive());

        assertThat(message).isEqualTo(head(p.pid(), "to be alive", "it exited with code 3"));
    }

    @Test
    void should_pass_when_the_jdk_process_has_exited() throws Exception {
        assertThat(ended(jdk("true"))).isNotAlive();
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_fail_when_the_jdk_process_expected_dead_still_runs() throws Exception {
        Process p = jdk("sleep", "100");

        String message = failureOf(() -> assertThat(p).isNotAlive());

        assertThat(message).isEqualTo(head(p.pid(), "not to be alive", "it is still running: sleep 100"));
    }

    @Test
    void should_pass_when_the_jdk_process_exited_with_the_code() throws Exception {
        assertThat(jdk("sh", "-c", "exit 2")).exitedWithin(TIMEOUT).exitedWith(2);
    }

    @Test
    void should_fail_when_the_jdk_process_exited_with_another_code() throws Exception {
        Process p = ended(jdk("sh", "-c", "exit 2"));

        String message = failureOf(() -> assertThat(p).exitedWith(0));

        assertThat(message).isEqualTo(head(p.pid(), "to have exited with code 0", "it exited with code 2"));
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_fail_when_the_jdk_process_expected_to_exit_with_a_code_still_runs() throws Exception {
        Process p = jdk("sleep", "100");

        String message = failureOf(() -> assertThat(p).exitedWith(0));

        assertThat(message).isEqualTo(head(p.pid(), "to have exited with code 0", "it is still running: sleep 100"));
    }

    @Test
    void should_pass_when_the_jdk_process_exits_in_time() throws Exception {
        assertThat(jdk("true")).exitedWithin(TIMEOUT).exitedWith(0);
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_fail_when_the_jdk_process_is_still_running_at_the_timeout() throws Exception {
        Process p = jdk("sleep", "100");

        String message = failureOf(() -> assertThat(p).exitedWithin(Duration.ofMillis(100)));

        assertThat(message).isEqualTo(head(p.pid(), "to exit within 100 ms",
                "it was still running after 100 ms: sleep 100"));
    }
}
