package dev.managedprocesses.internal.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.SpawnRequest;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which zombie children of the JVM (a subreaper) the library may reap, on real processes. */
class OrphanReaperTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @LinuxOnly("the child subreaper and its orphan reaper")
    @Test
    void an_orphan_seen_alive_below_a_child_is_reaped_at_the_first_look_after_it_died() throws Exception {
        Os os = Os.current();
        Subreaper.ensure(os.control());
        assumeTrue(Subreaper.isActive(), "Skipped: this JVM could not be made a subreaper");
        // a JDK child (not ours) that starts a grandchild, prints its pid, and exits when its stdin closes
        Process sh = new ProcessBuilder("sh", "-c", "sleep 0.2 & echo $!; read x; exit 0").start();
        long grandchild;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(sh.getInputStream()))) {
            grandchild = Long.parseLong(out.readLine().trim());
            OrphanReaper.reapStale(os, os.table().snapshot(), false); // sees the sleep alive, below the JDK's child
            sh.getOutputStream().close();
            assertThat(sh.waitFor()).isZero();
        } finally {
            sh.getErrorStream().close();
        }
        // the sleep was re-parented to the JVM and ends as its zombie
        assertThat(Proc.eventually(TIMEOUT, () -> Proc.state(grandchild) == 'Z' && Proc.ppid(grandchild) == os.table().selfPid()))
                .as("orphan %d is a zombie child of the JVM", grandchild).isTrue();

        OrphanReaper.reapStale(os, os.table().snapshot(), false);

        assertThat(Proc.exists(grandchild)).as("orphan %d reaped at the first look, without the two-second wait",
                grandchild).isFalse();
    }

    /** What lets a teardown skip reading the JVM's children (a read per JVM thread) when none is a zombie. */
    @LinuxOnly("waitid(P_ALL, WNOWAIT)")
    @Test
    void the_kernel_says_whether_the_jvm_has_a_zombie_child_without_reaping_it() throws Exception {
        Os os = Os.current();
        SpawnRequest.Stdio none = SpawnRequest.Stdio.DISCARD;
        long pid = os.spawner().spawn(new SpawnRequest("/bin/true", List.of("true"), List.of(), null, none, none, none)).pid();
        try {
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.state(pid) == 'Z')).isTrue();

            assertThat(os.control().mayHaveZombieChild()).as("a zombie child").isTrue();

            assertThat(Proc.state(pid)).as("asked about, not reaped").isEqualTo('Z');
        } finally {
            os.control().reap(pid);
        }
        assertThat(Proc.eventually(TIMEOUT, () -> Proc.zombieChildren().isEmpty() && !os.control().mayHaveZombieChild()))
                .as("no zombie child: the kernel says so (zombie children: %s; the kernel: %s)",
                        Proc.zombieChildren().stream().map(z -> z + " " + Proc.cmdline(z) + " " + Proc.comm(z)).toList(),
                        os.control().mayHaveZombieChild())
                .isTrue();
    }

    @LinuxOnly("the child subreaper and its orphan reaper")
    @Test
    void a_zombie_child_never_seen_below_another_is_left_to_its_parent_for_two_seconds() throws Exception {
        Os os = Os.current();
        Subreaper.ensure(os.control());
        assumeTrue(Subreaper.isActive(), "Skipped: this JVM could not be made a subreaper");
        // A direct child of the JVM whose own reaper never looks: the only way a test can hold a child
        // zombie is a process the JDK did not start. posix_spawn through the OS layer, and no watcher.
        SpawnRequest.Stdio none = SpawnRequest.Stdio.DISCARD;
        long pid = os.spawner().spawn(new SpawnRequest("/bin/true", List.of("true"), List.of(), null, none, none, none)).pid();
        try {
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.state(pid) == 'Z')).isTrue();
            OrphanReaper.reapStale(os, os.table().snapshot(), false);
            assertThat(Proc.state(pid)).as("a zombie child seen for the first time is not reaped").isEqualTo('Z');
            // waits out the two seconds, once (and looks again should a JDK reaper thread be runnable just then)
            for (int look = 0; look < 3 && Proc.exists(pid); look++) {
                OrphanReaper.reapStale(os, os.table().snapshot(), true);
            }
            assertThat(Proc.exists(pid)).as("reaped once it stayed a zombie for two seconds").isFalse();
        } finally {
            if (Proc.exists(pid)) {
                os.control().reap(pid);
            }
        }
    }

    @Test
    void a_child_seen_alive_then_seen_to_end_while_no_jdk_reaper_runs_is_reaped_at_once() throws Exception {
        Os os = Os.current();
        Subreaper.ensure(os.control());
        assumeTrue(Subreaper.isActive(), "Skipped: this JVM could not be made a subreaper");
        // a child nobody waits for (spawned through the OS layer, no watcher): as an orphan re-parented to the JVM is
        SpawnRequest.Stdio none = SpawnRequest.Stdio.DISCARD;
        long pid = os.spawner().spawn(new SpawnRequest("/bin/sleep", List.of("sleep", "100"), List.of(), null, none, none, none)).pid();
        try {
            ProcStat alive = os.table().stat(pid).orElseThrow();
            os.control().signalPid(pid, dev.managedprocesses.Signal.KILL);
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.state(pid) == 'Z')).isTrue();

            OrphanReaper.reapEnded(os, List.of(alive));

            assertThat(Proc.exists(pid)).as("reaped at the first look, without the two-second wait").isFalse();
        } finally {
            if (Proc.exists(pid)) {
                os.control().reap(pid);
            }
        }
    }

    @Test
    void a_jdk_child_seen_to_end_keeps_its_exit_status() throws Exception {
        Os os = Os.current();
        Subreaper.ensure(os.control());
        assumeTrue(Subreaper.isActive(), "Skipped: this JVM could not be made a subreaper");
        for (int i = 0; i < 20; i++) {
            Process p = new ProcessBuilder("sleep", "100").start();
            ProcStat alive = os.table().stat(p.pid()).orElseThrow();
            p.destroyForcibly();
            Proc.eventually(TIMEOUT, () -> Proc.state(p.pid()) != 'S');

            OrphanReaper.reapEnded(os, List.of(alive)); // its JDK reaper thread was woken by the exit: left to it

            assertThat(p.waitFor()).as("the JDK still reads its status (128 + SIGKILL), run %d", i).isEqualTo(137);
        }
    }
}
