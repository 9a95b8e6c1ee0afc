package dev.managedprocesses.assertj;

import dev.managedprocesses.testing.LinuxOnly;
import org.assertj.core.presentation.StandardRepresentation;
import org.assertj.core.description.TextDescription;
import dev.managedprocesses.assertj.error.ShouldNotBeReused;
import static dev.managedprocesses.assertj.ProcessAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.Signal;
import dev.managedprocesses.testing.Proc;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every assertion of {@link ManagedProcessAssert}, passing and failing, on real processes; the
 * failing ones with their exact message.
 */
class ManagedProcessAssertTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private ProcessScope scope;

    @BeforeEach
    void open() {
        scope = ProcessScope.builder().name("assertions").gracePeriod(Duration.ofSeconds(2)).open();
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

    private static ManagedProcess ended(ManagedProcess p) throws InterruptedException {
        assertThat(p.waitFor(TIMEOUT)).as("%s ended in time", p).isPresent();
        return p;
    }

    /** A shell with one background {@code sleep 100}, once the child has exec'd (so its command line is final). */
    private ManagedProcess shellWithSleepingChild() {
        ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & wait");
        assertThat(Proc.eventually(TIMEOUT, () -> sh.descendants().stream()
                .anyMatch(d -> d.commandLine().equals("sleep 100")))).as("the child runs sleep").isTrue();
        return sh;
    }

    private static String onlyDescendant(ManagedProcess p) {
        List<ProcessInfo> descendants = p.descendants();
        assertThat(descendants).hasSize(1);
        return "pid " + descendants.get(0).pid() + ": " + descendants.get(0).commandLine();
    }

    // ---------------------------------------------------------------- isAlive

    @Test
    void should_pass_when_the_process_runs() {
        assertThat(scope.start("sleep", "100")).isAlive();
    }

    @LinuxOnly("SIGSTOP and SIGCONT")
    @Test
    void should_pass_isAlive_when_the_process_is_stopped() throws Exception {
        ManagedProcess p = scope.start("sleep", "100");
        p.suspend();
        assertThat(Proc.eventually(TIMEOUT, () -> Proc.suspended(p.pid()))).isTrue();
        assertThat(p).isAlive();
    }

    @Test
    void should_fail_when_a_process_expected_alive_has_exited() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "echo boom >&2; exit 3"));

        String message = failureOf(() -> assertThat(p).isAlive());

        assertThat(message).isEqualTo(Expected.head(p, "to be alive", "it exited 3")
                + Expected.facts(p).status("exited 3, on its own").stderr("boom"));
    }

    @Test
    void should_fail_when_a_null_process_is_checked() {
        String message = failureOf(() -> assertThat((ManagedProcess) null).isAlive());
        assertThat(message).isEqualTo("\nExpecting actual not to be null");
    }

    // ---------------------------------------------------------------- isNotAlive

    @Test
    void should_pass_when_the_process_has_exited() throws Exception {
        assertThat(ended(scope.start("true"))).isNotAlive();
    }

    @LinuxOnly("a group leader held unreaped as a zombie while its group lives")
    @Test
    void should_pass_isNotAlive_for_a_zombie_whose_exit_status_stays_readable() throws Exception {
        // sh exits at once; its background sleep keeps the group alive, so the leader is held as a zombie.
        ManagedProcess sh = ended(scope.start("sh", "-c", "sleep 100 & exit 5"));
        assertThat(Proc.state(sh.pid())).as("held as a zombie while its group lives").isEqualTo('Z');

        assertThat(sh).isNotAlive().exitedWith(5);
        assertThat(sh.exitStatus()).contains(ExitStatus.exited(5));
    }

    @Test
    void should_fail_when_a_process_expected_dead_still_runs() {
        ManagedProcess p = scope.start("sh", "-c", "echo starting >&2; exec sleep 100");
        p.stderr().awaitLineContaining("starting", TIMEOUT);

        String message = failureOf(() -> assertThat(p).isNotAlive());

        assertThat(message).isEqualTo(Expected.head(p, "not to be alive", "it is still running")
                + Expected.facts(p).stderr("starting"));
    }

    // ---------------------------------------------------------------- exitedWith

    @Test
    void should_pass_when_the_process_exited_with_the_code() {
        assertThat(scope.start("sh", "-c", "exit 2")).exitedWithin(TIMEOUT).exitedWith(2);
    }

    @Test
    void should_fail_when_the_process_exited_with_another_code() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "exit 2"));

        String message = failureOf(() -> assertThat(p).exitedWith(0));

        assertThat(message).isEqualTo(Expected.head(p, "to have exited with code 0", "it exited 2")
                + Expected.facts(p).status("exited 2, on its own"));
    }

    @Test
    void should_fail_when_the_process_expected_to_exit_with_a_code_is_still_running() {
        ManagedProcess p = scope.start("sleep", "100");

        String message = failureOf(() -> assertThat(p).exitedWith(0));

        assertThat(message).isEqualTo(Expected.head(p, "to have exited with code 0", "it is still running")
                + Expected.facts(p));
    }

    @Test
    void should_fail_when_a_process_killed_by_a_signal_is_expected_to_exit_with_the_shells_code() throws Exception {
        ManagedProcess p = scope.start("sleep", "100");
        assertThat(p.signal(Signal.TERM)).isTrue();
        ended(p);

        String message = failureOf(() -> assertThat(p).exitedWith(143));

        assertThat(message).isEqualTo(Expected.head(p, "to have exited with code 143", "it was killed by SIGTERM"
                + " (the shell reports that as 143; use wasKilledBy(Signal.TERM) for deaths by signal)")
                + Expected.facts(p).status("killed by SIGTERM, after a signal sent with signal() or signalGroup()"));
    }

    @Test
    void should_refuse_an_exit_code_outside_0_to_255() {
        ManagedProcess p = scope.start("true");
        assertThatThrownBy(() -> assertThat(p).exitedWith(256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("An exit code is 0-255 but the expected code was 256: to assert a death by signal use "
                        + "wasKilledBy(Signal)");
    }

    // ---------------------------------------------------------------- exitedNormally

    @Test
    void should_pass_when_the_process_exited_normally() {
        assertThat(scope.start("true")).exitedWithin(TIMEOUT).exitedNormally();
    }

    @Test
    void should_fail_when_the_process_exited_with_a_non_zero_code() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "echo 'no such file' >&2; exit 1"));

        String message = failureOf(() -> assertThat(p).exitedNormally());

        assertThat(message).isEqualTo(Expected.head(p, "to have exited normally (by itself, with code 0)", "it exited 1")
                + Expected.facts(p).status("exited 1, on its own").stderr("no such file"));
    }

    // ---------------------------------------------------------------- wasKilledBy

    @Test
    void should_pass_when_the_process_was_killed_by_the_signal() {
        ManagedProcess p = scope.start("sleep", "100");
        p.terminate();
        assertThat(p).wasKilledBy(Signal.TERM);
    }

    @Test
    void should_fail_when_the_process_was_killed_by_another_signal() {
        ManagedProcess p = scope.start("sleep", "100");
        p.terminate();

        String message = failureOf(() -> assertThat(p).wasKilledBy(Signal.KILL));

        assertThat(message).isEqualTo(Expected.head(p, "to have been killed by SIGKILL", "it was killed by SIGTERM")
                + Expected.facts(p).status("killed by SIGTERM, after the SIGTERM of terminate() or the scope's teardown"));
    }

    @Test
    void should_fail_when_a_process_expected_killed_by_sigterm_needed_sigkill() {
        // SIG_IGN survives exec: this sleep ignores SIGTERM, so kill()'s SIGKILL is what ends it.
        ManagedProcess p = scope.start("sh", "-c", "trap '' TERM; echo ready; exec sleep 100");
        p.stdout().awaitLineContaining("ready", TIMEOUT);
        p.kill();

        String message = failureOf(() -> assertThat(p).wasKilledBy(Signal.TERM));

        assertThat(message).isEqualTo(Expected.head(p, "to have been killed by SIGTERM", "it was killed by SIGKILL")
                + Expected.facts(p).status("killed by SIGKILL, after the SIGKILL of kill() or the teardown's escalation"));
    }

    @Test
    void should_fail_when_a_process_expected_killed_exited_by_itself() throws Exception {
        ManagedProcess p = ended(scope.start("true"));

        String message = failureOf(() -> assertThat(p).wasKilledBy(Signal.TERM));

        assertThat(message).isEqualTo(Expected.head(p, "to have been killed by SIGTERM", "it exited 0")
                + Expected.facts(p).status("exited 0, on its own"));
    }

    @Test
    void should_fail_when_a_process_expected_killed_by_sigkill_killed_itself_with_sigterm() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "kill -TERM $$"));

        String message = failureOf(() -> assertThat(p).wasKilledBy(Signal.KILL));

        assertThat(message).isEqualTo(Expected.head(p, "to have been killed by SIGKILL", "it was killed by SIGTERM")
                + Expected.facts(p).status("killed by SIGTERM, from a signal this library did not send"));
    }

    @Test
    void should_fail_when_a_process_the_scopes_teardown_ended_is_expected_killed_by_sigkill() {
        // EndedBy.SIGTERM does not tell the scope's teardown from terminate(): the message names both.
        ManagedProcess p;
        try (ProcessScope own = ProcessScope.builder().name("torn-down").gracePeriod(Duration.ofSeconds(2)).open()) {
            p = own.start("sleep", "100");
        }

        ManagedProcess tornDown = p;
        String message = failureOf(() -> assertThat(tornDown).wasKilledBy(Signal.KILL));

        assertThat(message).isEqualTo(Expected.head(p, "to have been killed by SIGKILL", "it was killed by SIGTERM")
                + Expected.facts(p).status("killed by SIGTERM, after the SIGTERM of terminate() or the scope's teardown"));
    }

    // ---------------------------------------------------------------- notReused (forced reuse: NotReusedUnderPidReuseTest)

    @Test
    void should_pass_notReused_while_the_pid_names_the_process() {
        assertThat(scope.start("sleep", "100")).notReused();
    }

    @Test
    void should_pass_notReused_when_the_process_is_gone_and_the_handle_says_so() throws Exception {
        ManagedProcess p = ended(scope.start("true"));
        assertThat(Proc.eventually(TIMEOUT, () -> !Proc.exists(p.pid()))).as("reaped").isTrue();

        assertThat(p).notReused().isNotAlive();
    }

    @Test
    void should_describe_a_free_pid_when_a_handle_says_its_ended_process_is_alive() throws Exception {
        // ManagedProcess is sealed, and the library's handles always notice the end: the message of a handle that
        // would not, checked through its factory.
        ManagedProcess p = scope.start("sh", "-c", "read line; exit 0");
        p.stdin().close();
        ended(p);
        assertThat(Proc.eventually(TIMEOUT, () -> !Proc.exists(p.pid()))).as("reaped, the pid is free").isTrue();
        assertThat(p).notReused();

        String message = ShouldNotBeReused.shouldNotBeReused(p, "no live process holds pid " + p.pid()
                + ", yet the handle says it is alive and hands out a ProcessHandle for pid " + p.pid())
                .create(new TextDescription(""), StandardRepresentation.STANDARD_REPRESENTATION);

        assertThat(message).isEqualTo(Expected.head(p, "not to be confused with another process that got its pid",
                "no live process holds pid " + p.pid() + ", yet the handle says it is alive and hands out a "
                        + "ProcessHandle for pid " + p.pid())
                + Expected.facts(p).status("exited 0, on its own"));
    }

    // ---------------------------------------------------------------- isProcessGroupLeader

    @LinuxOnly("a started process leads a process group of its own")
    @Test
    void should_pass_when_the_process_leads_its_group() {
        assertThat(scope.start("sleep", "100")).isProcessGroupLeader();
    }

    @LinuxOnly("a started process leads a process group of its own")
    @Test
    void should_fail_when_the_process_moved_itself_into_another_group() {
        ManagedProcess host = scope.start("sleep", "100");
        ManagedProcess mover = scope.start("python3", "-c", "import os, sys, time\n"
                + "os.setpgid(0, int(sys.argv[1]))\nprint('moved', flush=True)\ntime.sleep(100)", Long.toString(host.pid()));
        mover.stdout().awaitLineContaining("moved", TIMEOUT);
        assertThat(Proc.pgid(mover.pid())).isEqualTo(host.pid());

        String message = failureOf(() -> assertThat(mover).isProcessGroupLeader());

        assertThat(message).isEqualTo(Expected.head(mover, "to lead its own process group",
                "the kernel has it in process group " + host.pid()) + Expected.facts(mover));
    }

    @LinuxOnly("a started process leads a process group of its own")
    @Test
    void should_fail_when_a_process_expected_to_lead_its_group_no_longer_runs() throws Exception {
        ManagedProcess p = ended(scope.start("true"));

        String message = failureOf(() -> assertThat(p).isProcessGroupLeader());

        assertThat(message).isEqualTo(Expected.head(p, "to lead its own process group",
                "it no longer runs, so it leads no group") + Expected.facts(p).status("exited 0, on its own"));
    }

    // ---------------------------------------------------------------- hasNoLiveDescendants

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_pass_when_nothing_the_process_started_still_runs() {
        ManagedProcess sh = shellWithSleepingChild();
        sh.terminate();
        assertThat(sh).hasNoLiveDescendants();
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_fail_when_a_descendant_still_runs() {
        ManagedProcess sh = shellWithSleepingChild();
        String child = onlyDescendant(sh);

        String message = failureOf(() -> assertThat(sh).hasNoLiveDescendants());

        assertThat(message).isEqualTo(Expected.head(sh, "to have no live descendants", "it has 1 (listed below)")
                + Expected.facts(sh).descendants(List.of(child)));
    }

    // ---------------------------------------------------------------- hasDescendantsMatching

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_pass_when_a_descendant_matches() {
        ManagedProcess sh = shellWithSleepingChild();
        assertThat(sh).hasDescendantsMatching(d -> d.commandLine().equals("sleep 100"), "command line \"sleep 100\"")
                .hasDescendantsMatching(Pattern.compile("^sleep 1"));
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void should_fail_when_no_descendant_matches() {
        ManagedProcess sh = shellWithSleepingChild();
        String child = onlyDescendant(sh);

        String message = failureOf(() -> assertThat(sh)
                .hasDescendantsMatching(d -> d.commandLine().equals("sleep 200"), "command line \"sleep 200\""));

        assertThat(message).isEqualTo("\nExpecting\n  <" + Expected.subject(sh) + ">\n"
                + "to have a live descendant matching\n  <command line \"sleep 200\">\n"
                + "but none of its 1 live descendants matches (listed below)\n"
                + Expected.facts(sh).descendants(List.of(child)));
    }

    @Test
    void should_fail_when_a_descendant_is_expected_but_there_is_none() {
        ManagedProcess p = scope.start("sleep", "100");

        String message = failureOf(() -> assertThat(p).hasDescendantsMatching(Pattern.compile("^python3")));

        assertThat(message).isEqualTo("\nExpecting\n  <" + Expected.subject(p) + ">\n"
                + "to have a live descendant matching\n  <command line matching /^python3/>\n"
                + "but it has no live descendants\n" + Expected.facts(p));
    }

    // ---------------------------------------------------------------- exitedWithin

    @Test
    void should_pass_when_the_process_exits_in_time() {
        assertThat(scope.start("sh", "-c", "exit 2")).exitedWithin(TIMEOUT).exitedWith(2);
    }

    @Test
    void should_fail_when_the_process_is_still_running_at_the_timeout() {
        ManagedProcess p = scope.start("sleep", "100");

        String message = failureOf(() -> assertThat(p).exitedWithin(Duration.ofMillis(100)));

        assertThat(message).isEqualTo(Expected.head(p, "to exit within 100 ms", "it was still running after 100 ms")
                + Expected.facts(p));
    }

    @Test
    void should_fail_at_once_when_the_wait_is_interrupted() {
        ManagedProcess p = scope.start("sleep", "100");
        Thread.currentThread().interrupt();
        try {
            String message = failureOf(() -> assertThat(p).exitedWithin(TIMEOUT));

            assertThat(message).isEqualTo(Expected.head(p, "to exit within 20 s",
                    "the wait was interrupted while it was still running") + Expected.facts(p));
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    // ---------------------------------------------------------------- stdout, stderr, their lines

    @Test
    void should_pass_when_the_output_is_as_expected() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "echo one; echo two; echo oops >&2"));
        assertThat(p).stdout().isEqualTo("one\ntwo\n");
        assertThat(p).stdoutLines().containsExactly("one", "two");
        assertThat(p).stderr().isEqualTo("oops\n");
        assertThat(p).stderrLines().containsExactly("oops");
    }

    @Test
    void should_fail_when_stdout_lacks_the_text() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "echo one; echo two"));

        String message = failureOf(() -> assertThat(p).stdout().contains("three"));

        assertThat(message).isEqualTo("[stdout of " + Expected.subject(p) + "] \n"
                + "Expecting actual:\n  \"one\ntwo\n\"\nto contain:\n  \"three\" ");
    }

    @Test
    void should_fail_when_stderr_is_not_empty() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "echo oops >&2"));

        String message = failureOf(() -> assertThat(p).as("cli").stderr().isEmpty());

        assertThat(message).isEqualTo("[cli: stderr of " + Expected.subject(p) + "] \n"
                + "Expecting empty but was: \"oops\n\"");
    }

    @Test
    void should_fail_when_stdout_lines_lack_the_line() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "echo one; echo two"));

        String message = failureOf(() -> assertThat(p).stdoutLines().contains("three"));

        assertThat(message).isEqualTo("[stdout of " + Expected.subject(p) + "] \n"
                + "Expecting ArrayList:\n  [\"one\", \"two\"]\nto contain:\n  [\"three\"]\nbut could not find the following element(s):\n"
                + "  [\"three\"]\n");
    }

    @Test
    void should_fail_when_stderr_lines_are_not_empty() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "echo oops >&2"));

        String message = failureOf(() -> assertThat(p).stderrLines().isEmpty());

        assertThat(message).isEqualTo("[stderr of " + Expected.subject(p) + "] \n"
                + "Expecting empty but was: [\"oops\"]");
    }

    @Test
    void should_refuse_to_assert_on_output_that_is_not_captured() throws Exception {
        ManagedProcess p = ended(scope.command("sh", "-c", "echo hidden").stdout(Redirect.DISCARD).start());

        assertThatThrownBy(() -> assertThat(p).stdout())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot assert on stdout of " + Expected.subject(p) + ": it is not captured. "
                        + "Leave it as a pipe (the default) to assert on it");
    }

    @Test
    void should_say_so_when_stderr_is_not_captured() throws Exception {
        ManagedProcess p = ended(scope.command("sh", "-c", "exit 4").stderr(Redirect.DISCARD).start());

        String message = failureOf(() -> assertThat(p).exitedNormally());

        assertThat(message).isEqualTo(Expected.head(p, "to have exited normally (by itself, with code 0)", "it exited 4")
                + Expected.facts(p).status("exited 4, on its own").stderrNotCaptured());
    }

    @Test
    void should_show_only_the_last_five_lines_of_a_long_stderr() throws Exception {
        ManagedProcess p = ended(scope.start("sh", "-c", "for i in 1 2 3 4 5 6 7; do echo line $i >&2; done; exit 9"));

        String message = failureOf(() -> assertThat(p).exitedNormally());

        assertThat(message).endsWith("  status: exited 9, on its own\n"
                + "  stderr (last 5 of 7 lines):\n    line 3\n    line 4\n    line 5\n    line 6\n    line 7\n"
                + "  live descendants: none\n");
    }

    // ---------------------------------------------------------------- extracting

    @Test
    void should_pass_when_an_extracted_value_matches() {
        ManagedProcess p = scope.start("sleep", "100");
        assertThat(p).extracting(ManagedProcess::pid, InstanceOfAssertFactories.LONG).isEqualTo(p.pid());
    }

    @Test
    void should_fail_when_an_extracted_value_does_not_match() {
        ManagedProcess p = scope.start("sleep", "100");

        String message = failureOf(() -> assertThat(p).extracting(ManagedProcess::pid, InstanceOfAssertFactories.LONG)
                .isNegative());

        assertThat(message).isEqualTo("\nExpecting actual:\n  " + p.pid() + "L\nto be less than:\n  0L ");
    }
}
