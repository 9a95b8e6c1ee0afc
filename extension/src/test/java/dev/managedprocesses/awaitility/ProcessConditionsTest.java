package dev.managedprocesses.awaitility;

import static dev.managedprocesses.assertj.ProcessAssertions.assertThat;
import static dev.managedprocesses.awaitility.ProcessConditions.fileExists;
import static dev.managedprocesses.awaitility.ProcessConditions.hasExited;
import static dev.managedprocesses.awaitility.ProcessConditions.lineContaining;
import static dev.managedprocesses.awaitility.ProcessConditions.lineMatching;
import static dev.managedprocesses.awaitility.ProcessConditions.portOpen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Awaitility conditions on real processes: each one met, each one timing out with what it last
 * saw, and the unreachable ones failing at once.
 */
class ProcessConditionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern PORT = Pattern.compile("port (\\d+)");

    private ProcessScope scope;

    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        scope = ProcessScope.builder().name("conditions").gracePeriod(Duration.ofSeconds(2)).open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /**
     * A wait that is meant to time out: evaluated at once, then every 50 ms, for one second. In the
     * test's own thread, so no evaluation is still in flight at the timeout (Awaitility would then
     * report its TimeoutException as the cause instead of the condition's last AssertionError).
     */
    private static ConditionFactory briefly() {
        return await().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .atMost(Duration.ofSeconds(1));
    }

    private static String subject(ManagedProcess p) {
        return "pid " + p.pid() + " (" + String.join(" ", p.command()) + ")";
    }

    /** The timeout Awaitility reports for an {@code untilAsserted} condition, and its cause. */
    private static void assertTimedOutSaying(ConditionTimeoutException timeout, String lastSeen) {
        assertThat(timeout).as("the wait should have timed out").isNotNull();
        assertThat(timeout).hasMessage("Assertion condition " + lastSeen + " within 1 seconds.");
        assertThat(timeout.getCause()).isInstanceOf(AssertionError.class).hasMessage(lastSeen);
    }

    private ManagedProcess httpServer(String bind) {
        return scope.start("python3", "-u", "-m", "http.server", "0", "--bind", bind, "--directory", dir.toString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    // ---------------------------------------------------------------- lineMatching / lineContaining

    @Test
    void should_pass_when_the_line_appears() {
        ManagedProcess p = scope.start("sh", "-c", "echo starting; sleep 0.3; echo 'ready on port 4242'; exec sleep 100");

        await().atMost(TIMEOUT).untilAsserted(lineMatching(p.stdout(), "ready on port \\d+"));
        await().atMost(TIMEOUT).until(lineMatching(p.stdout(), Pattern.compile("port 4242$")));
        await().atMost(TIMEOUT).until(lineContaining(p.stdout(), "starting"));
    }

    @Test
    void should_time_out_with_the_last_lines_when_the_line_does_not_appear() {
        ManagedProcess p = scope.start("sh", "-c", "echo starting; echo still starting; exec sleep 100");
        p.stdout().awaitLineContaining("still starting", TIMEOUT);

        ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                () -> briefly().untilAsserted(lineMatching(p.stdout(), "ready")));

        assertTimedOutSaying(timeout, "expected a line of stdout of " + subject(p) + " matching /ready/, but there is "
                + "none yet; last lines:\n  starting\n  still starting\n");
    }

    @Test
    void should_time_out_saying_nothing_was_printed() {
        ManagedProcess p = scope.start("sleep", "100");

        ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                () -> briefly().untilAsserted(lineContaining(p.stderr(), "connected")));

        assertTimedOutSaying(timeout, "expected a line of stderr of " + subject(p) + " containing \"connected\", but "
                + "there is none yet; it printed nothing\n");
    }

    @Test
    void should_time_out_with_the_last_lines_when_no_line_matches_the_pattern() {
        ManagedProcess p = scope.start("sh", "-c", "echo 'ready on port 80'; exec sleep 100");
        p.stdout().awaitLineContaining("ready", TIMEOUT);

        ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                () -> briefly().untilAsserted(lineMatching(p.stdout(), Pattern.compile("^ready$"))));

        assertTimedOutSaying(timeout, "expected a line of stdout of " + subject(p) + " matching /^ready$/, but there is "
                + "none yet; last lines:\n  ready on port 80\n");
    }

    @Test
    void should_fail_at_once_when_the_output_ends_without_a_line_containing_the_text() {
        ManagedProcess p = scope.start("sh", "-c", "echo starting >&2; echo bye >&2");

        assertThatThrownBy(() -> await().atMost(TIMEOUT).until(lineContaining(p.stderr(), "connected")))
                .isInstanceOf(ConditionUnreachableException.class)
                .hasMessage("stderr of " + subject(p) + " ended without a line containing \"connected\"; last lines:\n"
                        + "  starting\n  bye");
    }

    @Test
    void should_fail_at_once_under_ignoreExceptions_through_failFast() {
        ManagedProcess p = scope.start("sh", "-c", "echo bye; exit 3");
        ProcessCondition ready = lineMatching(p.stdout(), "ready");

        // ignoreExceptions() swallows the ConditionUnreachableException of the condition itself; the
        // fail-fast check is what no exception ignorer silences. TIMEOUT is 20 s: ending sooner is the point,
        // and the exception type proves it (a timeout would be a ConditionTimeoutException).
        TerminalFailureException failure = catchThrowableOfType(TerminalFailureException.class, () ->
                await().atMost(TIMEOUT).ignoreExceptions().failFast(ready.unreachable()).untilAsserted(ready));

        assertThat(failure).as("the wait should have ended through failFast").isNotNull()
                .hasMessage("stdout of " + subject(p) + " ended without a line matching /ready/; last lines:\n  bye")
                .hasCauseInstanceOf(ConditionUnreachableException.class);
    }

    @Test
    void should_let_the_wait_go_on_while_the_condition_can_still_come_true() {
        ManagedProcess p = scope.start("sh", "-c", "sleep 0.3; echo ready; sleep 100");
        ProcessCondition ready = lineMatching(p.stdout(), "ready");

        await().atMost(TIMEOUT).ignoreExceptions().failFast(ready.unreachable()).untilAsserted(ready);

        assertThat(p.stdout().lines()).contains("ready");
    }

    @Test
    void should_fail_at_once_when_the_output_ends_without_the_line() {
        ManagedProcess p = scope.start("sh", "-c", "echo bye");

        assertThatThrownBy(() -> await().atMost(TIMEOUT).untilAsserted(lineMatching(p.stdout(), "ready")))
                .isInstanceOf(ConditionUnreachableException.class)
                .hasMessage("stdout of " + subject(p) + " ended without a line matching /ready/; last lines:\n  bye");
    }

    @Test
    void should_name_only_the_condition_class_when_until_times_out() {
        ManagedProcess p = scope.start("sleep", "100");

        // Awaitility's until(Callable) knows nothing but the class: untilAsserted is the one that explains.
        assertThatThrownBy(() -> briefly().until(lineMatching(p.stdout(), "ready")))
                .isInstanceOf(ConditionTimeoutException.class)
                .hasMessage("Condition dev.managedprocesses.awaitility.ProcessCondition was not fulfilled within 1 seconds.");
    }

    @Test
    void should_name_what_was_awaited_when_until_times_out_with_the_condition_as_alias() {
        ManagedProcess p = scope.start("sleep", "100");
        ProcessCondition ready = lineMatching(p.stdout(), "ready");

        // The documented way to get at least the description into an until(...) timeout.
        assertThatThrownBy(() -> await(ready.toString()).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50)).atMost(Duration.ofSeconds(1)).until(ready))
                .isInstanceOf(ConditionTimeoutException.class)
                .hasMessage("Condition with alias 'a line of stdout of " + subject(p) + " matching /ready/' didn't "
                        + "complete within 1 seconds because condition dev.managedprocesses.awaitility.ProcessCondition "
                        + "was not fulfilled.");
    }

    @Test
    void should_describe_the_condition() {
        ManagedProcess p = scope.start("sleep", "100");
        assertThat(lineMatching(p.stdout(), "ready")).hasToString("a line of stdout of " + subject(p) + " matching /ready/");
        assertThat(portOpen(p, 8080)).hasToString(subject(p) + " or a descendant to listen on TCP port 8080");
    }

    // ---------------------------------------------------------------- hasExited

    @LinuxOnly("a group leader held unreaped as a zombie while its group lives")
    @Test
    void should_pass_when_the_process_exits_or_is_a_zombie() {
        ManagedProcess p = scope.start("sh", "-c", "sleep 0.2; exit 3");
        ManagedProcess leader = scope.start("sh", "-c", "sleep 100 & exit 5");

        await().atMost(TIMEOUT).until(hasExited(p));
        await().atMost(TIMEOUT).untilAsserted(hasExited(leader));

        assertThat(p).exitedWith(3);
        assertThat(Proc.state(leader.pid())).as("a zombie held for its group").isEqualTo('Z');
    }

    @Test
    void should_pass_when_a_process_adopted_by_pid_or_handle_ends_without_an_exit_status() throws Exception {
        Process byPid = new ProcessBuilder("sleep", "0.2").start();
        Process byHandle = new ProcessBuilder("sleep", "0.2").start();
        try {
            ManagedProcess adoptedByPid = scope.adopt(byPid.pid());
            ManagedProcess adoptedByHandle = scope.adopt(byHandle.toHandle());

            await().atMost(TIMEOUT).until(hasExited(adoptedByPid));
            await().atMost(TIMEOUT).untilAsserted(hasExited(adoptedByHandle));

            assertThat(adoptedByPid).isNotAlive().notReused();
            assertThat(adoptedByHandle).isNotAlive().notReused();
            assertThat(adoptedByPid.exitStatus()).as("only the JDK, its parent, knows it").isEmpty();
        } finally {
            for (Process p : new Process[] {byPid, byHandle}) {
                p.destroyForcibly();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                p.getOutputStream().close();
                p.getInputStream().close();
                p.getErrorStream().close();
            }
        }
    }

    @LinuxOnly("portOpen reads which process holds a listening socket (/proc/<pid>/fd, /proc/net/tcp)")
    @Test
    void should_fail_at_once_when_an_adopted_process_ends_without_opening_the_port() throws Exception {
        Process jdk = new ProcessBuilder("sleep", "0.2").start();
        try {
            ManagedProcess adopted = scope.adopt(jdk.pid());

            assertThatThrownBy(() -> await().atMost(TIMEOUT).untilAsserted(portOpen(adopted, 8080)))
                    .isInstanceOf(ConditionUnreachableException.class)
                    .hasMessage(subject(adopted) + " ended without listening on TCP port 8080 and left no live descendants");
        } finally {
            assertThat(jdk.waitFor(10, TimeUnit.SECONDS)).isTrue();
            jdk.getOutputStream().close();
            jdk.getInputStream().close();
            jdk.getErrorStream().close();
        }
    }

    @Test
    void should_time_out_saying_the_process_still_runs() {
        ManagedProcess p = scope.start("sleep", "100");

        ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                () -> briefly().untilAsserted(hasExited(p)));

        assertTimedOutSaying(timeout, "expected " + subject(p) + " to have exited, but it is still running\n");
    }

    // ---------------------------------------------------------------- portOpen

    @Test
    void should_pass_when_the_process_listens_on_the_port() {
        ManagedProcess server = httpServer("127.0.0.1");
        int port = Integer.parseInt(server.stdout().awaitLine(PORT, TIMEOUT).group(1));

        await().atMost(TIMEOUT).untilAsserted(portOpen(server, port));
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_pass_when_a_descendant_listens_on_the_port_over_ipv6() {
        // "; exit 0" keeps sh from exec'ing python: the listener is sh's child, not sh.
        ManagedProcess launcher = scope.start("sh", "-c", "python3 -u -m http.server 0 --bind ::1 --directory "
                + dir + "; exit 0");
        int port = Integer.parseInt(launcher.stdout().awaitLine(PORT, TIMEOUT).group(1));

        await().atMost(TIMEOUT).until(portOpen(launcher, port));
        assertThat(launcher).hasDescendantsMatching(Pattern.compile("python3 -u -m http\\.server 0 --bind ::1"));
    }

    @LinuxOnly("portOpen reads which process holds a listening socket (/proc/<pid>/fd, /proc/net/tcp)")
    @Test
    void should_time_out_when_the_port_is_open_but_by_another_process() throws Exception {
        ManagedProcess p = scope.start("sleep", "100");
        try (ServerSocket jvmListener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = jvmListener.getLocalPort();

            ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                    () -> briefly().untilAsserted(portOpen(p, port)));

            assertTimedOutSaying(timeout, "expected " + subject(p) + " or a descendant to listen on TCP port " + port
                    + ", but it listens on no TCP port yet; port " + port + " is listening, but not by it\n");
        }
    }

    @LinuxOnly("portOpen reads which process holds a listening socket (/proc/<pid>/fd, /proc/net/tcp)")
    @Test
    void should_time_out_naming_the_ports_the_process_does_listen_on() throws Exception {
        ManagedProcess server = httpServer("127.0.0.1");
        int port = Integer.parseInt(server.stdout().awaitLine(PORT, TIMEOUT).group(1));
        await().atMost(TIMEOUT).untilAsserted(portOpen(server, port));
        int other = freePort();

        ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                () -> briefly().untilAsserted(portOpen(server, other)));

        assertTimedOutSaying(timeout, "expected " + subject(server) + " or a descendant to listen on TCP port " + other
                + ", but it listens on TCP ports [" + port + "]; nothing listens on port " + other + "\n");
    }

    @LinuxOnly("portOpen reads which process holds a listening socket (/proc/<pid>/fd, /proc/net/tcp)")
    @Test
    void should_fail_at_once_when_the_process_ends_without_opening_the_port() {
        ManagedProcess p = scope.start("sh", "-c", "echo 'bind: address already in use' >&2; exit 1");

        assertThatThrownBy(() -> await().atMost(TIMEOUT).untilAsserted(portOpen(p, 8080)))
                .isInstanceOf(ConditionUnreachableException.class)
                .hasMessage(subject(p) + " exited 1 without listening on TCP port 8080 and left no live descendants; "
                        + "last lines of stderr:\n  bind: address already in use");
    }

    @Test
    void should_refuse_a_port_outside_1_to_65535() {
        ManagedProcess p = scope.start("sleep", "100");
        assertThatThrownBy(() -> portOpen(p, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A TCP port is 1-65535 but was 0");
    }

    // ---------------------------------------------------------------- fileExists

    @Test
    void should_pass_when_the_file_appears() {
        Path pidFile = dir.resolve("app.pid");
        scope.start("sh", "-c", "sleep 0.2; echo $$ > '" + pidFile + "'; exec sleep 100");

        await().atMost(TIMEOUT).untilAsserted(fileExists(pidFile));
    }

    @Test
    void should_time_out_listing_what_the_directory_holds() throws Exception {
        Files.writeString(dir.resolve("b.log"), "");
        Files.writeString(dir.resolve("a.log"), "");
        Path ready = dir.resolve("ready");

        ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                () -> briefly().untilAsserted(fileExists(ready)));

        assertTimedOutSaying(timeout, "expected a file at " + ready.toAbsolutePath() + ", but there is none yet; "
                + dir.toAbsolutePath() + " contains a.log, b.log\n");
    }

    @Test
    void should_time_out_saying_the_directory_is_empty() throws Exception {
        Path run = Files.createDirectory(dir.resolve("run"));
        Path ready = run.resolve("ready");

        ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                () -> briefly().untilAsserted(fileExists(ready)));

        assertTimedOutSaying(timeout, "expected a file at " + ready.toAbsolutePath() + ", but there is none yet; "
                + run.toAbsolutePath() + " is empty\n");
    }

    @Test
    void should_time_out_saying_the_directory_is_missing() {
        Path ready = dir.resolve("run").resolve("ready");

        ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                () -> briefly().untilAsserted(fileExists(ready)));

        assertTimedOutSaying(timeout, "expected a file at " + ready.toAbsolutePath() + ", but there is none yet, nor its "
                + "directory " + dir.resolve("run").toAbsolutePath() + "\n");
    }

    // ---------------------------------------------------------------- AssertJ assertions inside untilAsserted

    @Test
    void should_pass_when_an_awaited_assertion_comes_true() {
        ManagedProcess p = scope.start("sh", "-c", "sleep 0.2");

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(p).isNotAlive().exitedNormally());
    }

    @Test
    void should_time_out_with_the_assertion_message_as_the_cause() {
        ManagedProcess p = scope.start("sleep", "100");

        ConditionTimeoutException timeout = catchThrowableOfType(ConditionTimeoutException.class,
                () -> briefly().untilAsserted(() -> assertThat(p).isNotAlive()));

        String expected = "\nExpecting\n  <" + subject(p) + ">\nnot to be alive\nbut it is still running\n"
                + "Process facts:\n  identity: " + p.identity() + ", boot id " + p.identity().bootId() + "\n"
                + "  status: running\n  stderr: empty\n  live descendants: none\n";
        assertThat(timeout.getCause()).isInstanceOf(AssertionError.class).hasMessage(expected);
        assertThat(timeout.getMessage()).contains(expected).endsWith(" within 1 seconds.");
    }
}
