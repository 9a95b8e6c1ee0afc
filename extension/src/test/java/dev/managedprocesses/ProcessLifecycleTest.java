package dev.managedprocesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lifecycles of real processes, checked against /proc. Also run with pidfds disabled
 * (surefire execution "pid-fallback") to cover kernels without them.
 */
class ProcessLifecycleTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private ProcessScope scope;
    private Stranger stranger;

    @BeforeEach
    void open() {
        stranger = Stranger.start();
        scope = ProcessScope.builder().name("lifecycle").gracePeriod(Duration.ofSeconds(2)).open();
    }

    @AfterEach
    void close() {
        try (Stranger s = stranger) {
            scope.close();
            assertThat(s.untouched()).as("a process outside every scope is never signalled").isTrue();
        }
    }

    @LinuxOnly("signals through pidfds")
    @Test
    void signal_delivery_matches_the_kernel_and_the_configuration() {
        ManagedProcess p = scope.start("sleep", "100");
        boolean pidfdDisabled = "false".equals(System.getProperty("managedprocesses.internal.pidfd"));
        assertThat(p.signalDelivery()).isEqualTo(pidfdDisabled ? SignalDelivery.PID : SignalDelivery.PIDFD);
    }

    @LinuxOnly("a started process leads a process group of its own; identity is /proc's start time")
    @Test
    void child_leads_its_own_process_group() {
        ManagedProcess p = scope.start("sleep", "100");
        assertThat(Proc.pgid(p.pid())).isEqualTo(p.pid());
        assertThat(p.processGroup()).isEqualTo(p.pid());
        assertThat(p.isProcessGroupLeader()).isTrue();
        assertThat(p.identity().startTime()).isEqualTo(Proc.startTime(p.pid()));
        assertThat(Proc.isRunning(p.identity())).isTrue();
    }

    @LinuxOnly("a started process leads a process group of its own")
    @Test
    void terminate_ends_the_process_and_every_child_in_its_group() throws Exception {
        ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & sleep 100 & wait");
        assertThat(Proc.eventually(TIMEOUT, () -> sh.descendants().size() == 2)).isTrue();
        List<Long> pids = sh.descendants().stream().map(ProcessInfo::pid).toList();
        assertThat(pids).allSatisfy(pid -> assertThat(Proc.pgid(pid)).isEqualTo(sh.pid()));

        ExitStatus status = sh.terminate();

        assertThat(status).isEqualTo(ExitStatus.killedBy(Signal.TERM, false));
        assertThat(sh.endedBy()).contains(EndedBy.SIGTERM);
        assertThat(Proc.alive(sh.pid())).isFalse();
        assertThat(pids).allSatisfy(pid -> assertThat(Proc.alive(pid)).as("child %d", pid).isFalse());
        assertThat(sh.descendants()).isEmpty();
    }

    @Test
    void a_process_that_ignores_sigterm_is_killed_after_the_grace_period() throws Exception {
        ManagedProcess p = scope.start("sh", "-c", "trap '' TERM; echo ready; exec sleep 100");
        p.stdout().awaitLine(Pattern.compile("ready"), TIMEOUT);

        ExitStatus status = p.terminate(Duration.ofMillis(300));

        assertThat(status).isEqualTo(ExitStatus.killedBy(Signal.KILL, false));
        assertThat(status.code()).isEqualTo(137);
        assertThat(p.endedBy()).contains(EndedBy.SIGKILL);
        assertThat(p.terminationTime()).hasValueSatisfying(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofMillis(300)));
        assertThat(Proc.alive(p.pid())).isFalse();
    }

    @LinuxOnly("SIGSTOP and SIGCONT")
    @Test
    void a_stopped_process_counts_as_alive_and_still_dies_on_terminate() throws Exception {
        ManagedProcess p = scope.start("sleep", "100");
        p.suspend();
        assertThat(Proc.eventually(TIMEOUT, () -> Proc.suspended(p.pid()))).isTrue();
        assertThat(p.isAlive()).isTrue();

        assertThat(p.terminate()).isEqualTo(ExitStatus.killedBy(Signal.TERM, false));
        assertThat(Proc.alive(p.pid())).isFalse();
    }

    @LinuxOnly("suspend()/resume(): SIGSTOP and SIGCONT to a process group")
    @Test
    void suspend_and_resume_act_on_the_whole_group() throws Exception {
        ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & wait");
        assertThat(Proc.eventually(TIMEOUT, () -> sh.descendants().size() == 1)).isTrue();
        long child = sh.descendants().get(0).pid();
        sh.suspend();
        assertThat(Proc.eventually(TIMEOUT, () -> Proc.suspended(child) && Proc.suspended(sh.pid()))).isTrue();
        sh.resume();
        assertThat(Proc.eventually(TIMEOUT, () -> !Proc.suspended(child) && !Proc.suspended(sh.pid()))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 255})
    void exit_codes_are_reported_exactly(int code) throws Exception {
        ManagedProcess p = scope.start("sh", "-c", "exit " + code);
        ExitStatus status = p.waitFor(TIMEOUT).orElseThrow();
        assertThat(status).isEqualTo(ExitStatus.exited(code));
        assertThat(status.code()).isEqualTo(code);
        assertThat(status.exitCode()).contains(code);
        assertThat(status).hasToString("exited " + code);
        assertThat(p.isAlive()).isFalse();
        assertThat(p.endedBy()).contains(EndedBy.ITSELF);
    }

    @Test
    void death_by_sigterm_and_sigkill_is_reported_exactly() throws Exception {
        ManagedProcess term = scope.start("sleep", "100");
        ManagedProcess kill = scope.start("sleep", "100");
        assertThat(term.signal(Signal.TERM)).isTrue();
        assertThat(kill.signal(Signal.KILL)).isTrue();

        ExitStatus byTerm = term.waitFor(TIMEOUT).orElseThrow();
        ExitStatus byKill = kill.waitFor(TIMEOUT).orElseThrow();

        assertThat(byTerm).isEqualTo(ExitStatus.killedBy(Signal.TERM, false)).hasToString("killed by SIGTERM");
        assertThat(byTerm.code()).isEqualTo(143);
        assertThat(byTerm.signal()).contains(Signal.TERM);
        assertThat(byKill).isEqualTo(ExitStatus.killedBy(Signal.KILL, false)).hasToString("killed by SIGKILL");
        assertThat(byKill.code()).isEqualTo(137);
        assertThat(term.endedBy()).contains(EndedBy.SIGNAL);
        assertThat(kill.endedBy()).contains(EndedBy.SIGKILL);
        // gone: further signals are no-ops, never errors and never reach anyone
        assertThat(term.signal(Signal.TERM)).isFalse();
    }

    @Test
    void a_line_of_stdout_can_be_awaited() {
        ManagedProcess p = scope.start("sh", "-c", "echo starting; sleep 0.2; echo 'listening on port 4242'; sleep 100");
        String port = p.stdout().awaitLine(Pattern.compile("port (\\d+)"), TIMEOUT).group(1);
        assertThat(port).isEqualTo("4242");
        assertThat(p.stdout().lines()).containsExactly("starting", "listening on port 4242");
    }

    @Test
    void awaiting_a_line_that_never_comes_times_out_with_the_last_lines() {
        ManagedProcess p = scope.start("sh", "-c", "echo one; echo two; sleep 100");
        p.stdout().awaitLine(Pattern.compile("two"), TIMEOUT);
        try {
            p.stdout().awaitLine(Pattern.compile("three"), Duration.ofMillis(100));
            throw new AssertionError("expected a timeout");
        } catch (ProcessTimeoutException e) {
            assertThat(e).hasMessage("No line of stdout of pid " + p.pid() + " (sh -c echo one; echo two; sleep 100)"
                    + " matching /three/ within 100 ms (the process is still running); last lines:\n  one\n  two");
        }
    }

    @Test
    void awaiting_a_line_after_the_stream_ended_fails_at_once() {
        ManagedProcess p = scope.start("sh", "-c", "echo bye; exit 4");
        try {
            p.stdout().awaitLine(Pattern.compile("hello"), TIMEOUT);
            throw new AssertionError("expected OutputEndedException");
        } catch (OutputEndedException e) {
            assertThat(e).hasMessage("stdout of pid " + p.pid() + " (sh -c echo bye; exit 4) ended without a line"
                    + " matching /hello/ (the process exited 4); last lines:\n  bye");
        }
    }

    @Test
    void stdin_is_a_pipe_that_can_be_closed() throws Exception {
        ManagedProcess cat = scope.start("cat");
        try (OutputStream in = cat.stdin()) {
            in.write("hello\nworld\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(cat.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
        cat.stdout().awaitLine(Pattern.compile("world"), TIMEOUT);
        assertThat(cat.stdout().lines()).containsExactly("hello", "world");
    }

    @Test
    void writing_to_a_redirected_stdin_fails_saying_why_and_what_to_do() {
        ManagedProcess cat = scope.command("cat").stdin(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        assertThatThrownBy(() -> cat.stdin().write('x')).isInstanceOf(java.io.IOException.class)
                .hasMessageStartingWith("stdin of pid " + cat.pid() + " (cat)")
                .hasMessageEndingWith(" is not a pipe: it was redirected when the process was started. Leave stdin as a "
                        + "pipe (the default) to write to it");
    }

    @LinuxOnly("a group leader held unreaped as a zombie while its group lives")
    @Test
    void a_zombie_leader_is_not_alive_but_its_status_is_readable() throws Exception {
        // sh exits at once, its background sleep keeps the group alive: the leader is held unreaped.
        ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & exit 5");
        assertThat(sh.waitFor(TIMEOUT)).contains(ExitStatus.exited(5));
        assertThat(Proc.state(sh.pid())).as("leader held as a zombie while its group lives").isEqualTo('Z');
        assertThat(sh.isAlive()).isFalse();
        assertThat(sh.exitStatus()).contains(ExitStatus.exited(5));
        assertThat(sh.descendants()).hasSize(1);
        // terminate reaches the orphaned member through the group, then reaps the leader
        sh.terminate();
        assertThat(sh.descendants()).isEmpty();
        assertThat(Proc.exists(sh.pid())).isFalse();
    }

    @Test
    void handle_of_a_live_process_is_its_jdk_handle() {
        ManagedProcess p = scope.start("sleep", "100");
        assertThat(p.toHandle()).hasValueSatisfying(h -> assertThat(h.pid()).isEqualTo(p.pid()));
        p.kill();
        assertThat(p.toHandle()).isEmpty();
    }
}
