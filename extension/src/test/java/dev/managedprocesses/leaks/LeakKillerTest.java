package dev.managedprocesses.leaks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.PidReuse;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kill mode's killer on real processes: it ends exactly the processes that were found (pid and start
 * time), never a stranger that got one of their pids, and says what became of each.
 */
class LeakKillerTest {
    private static final Os OS = Os.current();
    private static final Duration GRACE = Duration.ofMillis(500);
    private final List<Process> started = new ArrayList<>();
    private Stranger stranger;

    @BeforeEach
    void start() {
        stranger = Stranger.start();
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        try (Stranger s = stranger) {
            for (Process p : started) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(s.untouched()).as("a process outside every test is never signalled").isTrue();
        }
    }

    private Process sleep() throws IOException {
        Process p = new ProcessBuilder("sleep", "300").start();
        started.add(p);
        return p;
    }

    private static ProcStat found(Process p) {
        return OS.table().stat(p.pid()).orElseThrow();
    }

    @Test
    void a_leaked_tree_is_ended_and_reported_as_killed() throws Exception {
        Process leaked = sleep();
        // An ignored signal stays ignored across exec: this sleep ignores SIGTERM.
        Process ignoresTerm = new ProcessBuilder("sh", "-c", "trap '' TERM; exec sleep 300").start();
        started.add(ignoresTerm);
        assertThat(Proc.eventually(Duration.ofSeconds(10), () -> Proc.comm(ignoresTerm.pid()).equals("sleep")))
                .as("the shell has set its trap and exec'd").isTrue();

        LeakKiller.Outcome outcome = LeakKiller.kill(OS, List.of(found(leaked), found(ignoresTerm)), GRACE);

        assertThat(outcome.action()).isEqualTo("killed");
        assertThat(leaked.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(leaked.exitValue()).as("SIGTERM").isEqualTo(128 + 15);
        assertThat(ignoresTerm.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ignoresTerm.exitValue()).as("SIGKILL, after the grace period").isEqualTo(128 + 9);
    }

    @Test
    void a_process_that_exited_before_it_could_be_killed_is_not_reported_as_killed() throws Exception {
        Process exited = sleep();
        ProcStat found = found(exited);
        exited.destroyForcibly();
        exited.waitFor(30, TimeUnit.SECONDS); // reaped: the pid is free (and, this soon, not reused)

        LeakKiller.Outcome outcome = LeakKiller.kill(OS, List.of(found), GRACE);

        assertThat(outcome.action()).isEqualTo("not killed: pid " + found.pid() + " (exited by itself)");
    }

    @Test
    void a_protected_process_is_never_signalled_nor_reported_as_killed() throws Exception {
        Process leaked = sleep();
        ProcStat self = OS.table().stat(ProcessHandle.current().pid()).orElseThrow();

        LeakKiller.Outcome outcome = LeakKiller.kill(OS, List.of(self, found(leaked)), GRACE);

        assertThat(outcome.action()).isEqualTo("killed pid " + leaked.pid() + "; not killed: pid " + self.pid()
                + " (it is this JVM)");
        assertThat(leaked.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @LinuxOnly("identity is /proc's start time in clock ticks since boot and the kernel's boot id")
    @Test
    void the_jvms_ancestors_are_never_signalled_nor_reported_as_killed() throws Exception {
        long ancestor = Proc.plainAncestor();
        assumeTrue(ancestor > 1, "Skipped: this JVM has no ancestor above its parent, below init, that is not its "
                + "session leader or group leader");
        ProcStat above = OS.table().stat(ancestor).orElseThrow();

        LeakKiller.Outcome outcome = LeakKiller.kill(OS, List.of(above), GRACE);

        assertThat(outcome.action()).isEqualTo("not killed: pid " + ancestor + " (it is an ancestor of this JVM, "
                + "such as the build tool or the shell that started it)");
        assertThat(Proc.startTime(ancestor)).as("still that very process").isEqualTo(above.startTime());
    }

    @Test
    void a_stranger_on_a_recycled_pid_is_never_touched() throws Exception {
        String why = PidReuse.unavailableReason();
        assumeTrue(why == null, () -> "Skipped: " + why);
        Process leaked = sleep();
        Process victim = sleep();
        ProcStat found = found(victim);
        victim.destroyForcibly();
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue(); // reaped by the JDK: its pid is free
        // A process on the same pid within the same clock tick would have the very same identity (the known
        // limit of pid + start time): let a tick pass, so that the stranger is distinguishable at all.
        assertThat(Proc.eventually(Duration.ofSeconds(10), () -> OS.table().uptimeTicks() > found.startTime() + 1)).isTrue();
        Optional<Process> onRecycledPid = PidReuse.startWithPid(found.pid(), "sleep", "300");
        onRecycledPid.ifPresent(started::add);
        assumeTrue(onRecycledPid.isPresent(), () -> "Skipped: could not get pid " + found.pid() + " reused in 50 tries");
        Process recycled = onRecycledPid.get();
        long recycledStart = Proc.startTime(recycled.pid());
        assertThat(recycledStart).as("a new process on pid %d", found.pid()).isNotEqualTo(found.startTime());

        LeakKiller.Outcome outcome = LeakKiller.kill(OS, List.of(found, found(leaked)), GRACE);

        assertThat(outcome.action()).isEqualTo("killed pid " + leaked.pid() + "; not killed: pid " + found.pid()
                + " (its pid was recycled by another process before it could be killed: not touched)");
        assertThat(recycled.isAlive()).as("the stranger on recycled pid %d", recycled.pid()).isTrue();
        assertThat(Proc.startTime(recycled.pid())).isEqualTo(recycledStart);
        assertThat(Proc.state(recycled.pid())).as("not stopped either").isNotEqualTo('T');
        assertThat(leaked.waitFor(30, TimeUnit.SECONDS)).as("the identity-verified process was ended").isTrue();
    }
}
