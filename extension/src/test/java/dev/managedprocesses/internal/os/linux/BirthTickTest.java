package dev.managedprocesses.internal.os.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.SpawnRequest;
import dev.managedprocesses.internal.os.SpawnRequest.Stdio;
import dev.managedprocesses.internal.os.Spawned;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A spawned child's start time told by the clock around its spawn ({@link BirthTick}) is the one
 * {@code /proc/PID/stat} gives, on real children; where the clock cannot tell, the spawn says "unknown", never a
 * wrong tick.
 */
class BirthTickTest {
    private static final long TICK = 10_000_000; // 100 ticks a second
    private static final long M = BirthTick.MARGIN_NANOS;

    private final List<Long> children = new ArrayList<>();

    @Test
    void readings_in_one_tick_with_room_to_its_edges_name_that_tick() {
        assertThat(BirthTick.between(5 * TICK + M, 6 * TICK - M - 1, 100)).isEqualTo(5);
        assertThat(BirthTick.between(5 * TICK + 3_000_000, 5 * TICK + 3_400_000, 100)).isEqualTo(5);
    }

    @Test
    void readings_across_a_tick_or_within_the_margin_of_its_edge_name_none() {
        assertThat(BirthTick.between(5 * TICK + 9_900_000, 6 * TICK + 100_000, 100)).as("across").isEqualTo(-1);
        assertThat(BirthTick.between(5 * TICK + M - 1, 5 * TICK + 1_000_000, 100)).as("near the start").isEqualTo(-1);
        assertThat(BirthTick.between(5 * TICK + 1_000_000, 6 * TICK - M, 100)).as("near the end").isEqualTo(-1);
    }

    @Test
    void failed_readings_and_ticks_the_kernel_rounds_otherwise_name_none() {
        assertThat(BirthTick.between(-1, 5 * TICK, 100)).isEqualTo(-1);
        assertThat(BirthTick.between(5 * TICK + 2_000_000, -1, 100)).isEqualTo(-1);
        assertThat(BirthTick.between(6 * TICK, 5 * TICK, 100)).as("backwards").isEqualTo(-1);
        assertThat(BirthTick.between(5 * TICK + 2_000_000, 5 * TICK + 2_100_000, 0)).isEqualTo(-1);
        assertThat(BirthTick.between(5 * TICK + 2_000_000, 5 * TICK + 2_100_000, 3)).as("1e9 % 3 != 0").isEqualTo(-1);
        assertThat(BirthTick.between(5_000_000 + 2_000_000, 5_000_000 + 2_100_000, 200)).isEqualTo(1);
    }

    /**
     * 300 real children: every start time the spawn tells is the kernel's, and it tells most (a spawn crosses a
     * 10 ms tick only now and then). Unknown ones are read from /proc by the caller, as before.
     */
    @Test
    @LinuxOnly("a spawned child's start time is known without reading /proc (posix_spawn through libc)")
    void the_start_time_the_spawn_tells_is_the_one_proc_gives() throws Exception {
        Os os = Os.current();
        int known = 0;
        int n = 300;
        for (int i = 0; i < n; i++) {
            Spawned s = os.spawner().spawn(new SpawnRequest("/bin/sleep", List.of("sleep", "600"),
                    List.of("PATH=/usr/bin:/bin"), null, Stdio.DISCARD, Stdio.DISCARD, Stdio.DISCARD));
            children.add(s.pid());
            long proc = Proc.startTime(s.pid()); // our unreaped child: the pid is still its own
            if (s.startTime() >= 0) {
                known++;
                assertThat(s.startTime()).as("start time of pid %d told by the spawn", s.pid()).isEqualTo(proc);
            }
            os.control().signalPid(s.pid(), Signal.KILL);
            reap(os, s.pid());
        }
        assertThat(known).as("spawns that could tell the start time, of %d", n).isGreaterThanOrEqualTo(n * 8 / 10);
    }

    @AfterEach
    void cleanUp() {
        Os os = Os.current();
        for (long pid : List.copyOf(children)) {
            os.control().signalPid(pid, Signal.KILL);
            reap(os, pid);
        }
    }

    /** Reaps our child {@code pid}, which has had SIGKILL: a blocking waitpid, woken by the kernel. */
    private void reap(Os os, long pid) {
        int rc = CgroupFiles.libc().waitpid((int) pid, new int[1], 0);
        assertThat(rc).as("waitpid(%d)", pid).isEqualTo((int) pid);
        children.remove(pid);
    }
}
