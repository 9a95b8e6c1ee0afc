package dev.managedprocesses.internal.os.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.internal.os.ProcStat;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link LinuxProcessTable#snapshotSince}: the look teardown takes reads only the pids allocated since a
 * scope's first process, but never misses a younger process, and falls back to the whole table when the
 * kernel's fork counter cannot rule out that the pid space came round since. Real processes, real /proc.
 */
class SnapshotSinceTest {
    private final LinuxProcessTable table = new LinuxProcessTable(CgroupFiles.libc(),
            LinuxProcesses.clockTicks(CgroupFiles.libc()));

    @Test
    void every_process_born_after_the_first_is_seen_and_old_ones_are_not_read() throws Exception {
        long forks = table.forkCount();
        assertThat(forks).as("/proc/stat names the forks since boot").isPositive();
        Process first = new ProcessBuilder("sleep", "300").start();
        Process second = new ProcessBuilder("sh", "-c", "sleep 300 & echo $!; exec sleep 300").start();
        try {
            long grandchild = Long.parseLong(new BufferedReader(new InputStreamReader(second.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine().trim());
            Set<Long> seen = pids(table.snapshotSince(first.pid(), forks));

            assertThat(seen).contains(first.pid(), second.pid(), grandchild);
            assertThat(seen).as("pid 1 and this JVM are older: not read").doesNotContain(1L, table.selfPid());
            assertThat(table.forkCount()).as("the counter moved on with the forks").isGreaterThanOrEqualTo(forks + 3);
        } finally {
            second.descendants().forEach(ProcessHandle::destroyForcibly);
            first.destroyForcibly().waitFor();
            second.destroyForcibly().waitFor();
        }
    }

    /**
     * The most recently allocated pid is read afresh at every look, though /proc/loadavg stays open between looks
     * (one pread each): after each of two children, it is that child's pid or one allocated after it.
     */
    @Test
    void the_most_recently_allocated_pid_is_read_afresh_at_every_look() throws Exception {
        long max = table.pidMax();
        for (int i = 0; i < 2; i++) {
            // no pipes: nothing of the child stays open after the test
            Process child = new ProcessBuilder("true").redirectInput(Redirect.from(new File("/dev/null")))
                    .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD).start();
            try {
                long last = table.lastAllocatedPid();
                assertThat(Math.floorMod(last - child.pid(), max)).as("pid %d allocated at or after child %d (look %d)",
                        last, child.pid(), i + 1).isLessThan(max / 2);
            } finally {
                child.waitFor();
            }
        }
    }

    @Test
    void no_thread_id_passes_for_a_process() throws Exception {
        long forks = table.forkCount();
        Process first = new ProcessBuilder("sleep", "300").start();
        Thread t = new Thread(() -> { }, "a thread whose id lies after the first process's pid");
        try {
            t.start();
            t.join();
            List<ProcStat> seen = table.snapshotSince(first.pid(), forks);
            assertThat(seen).allSatisfy(s -> assertThat(table.isProcess(s.pid())).as("pid %d", s.pid()).isTrue());
        } finally {
            first.destroyForcibly().waitFor();
        }
    }

    @Test
    void when_the_pid_space_may_have_come_round_the_whole_table_is_read() throws Exception {
        Process first = new ProcessBuilder("sleep", "300").start();
        try {
            long longAgo = table.forkCount() - table.pidMax();
            Set<Long> seen = pids(table.snapshotSince(first.pid(), longAgo));
            assertThat(seen).contains(1L, table.selfPid(), first.pid());
            assertThat(pids(table.snapshotSince(first.pid(), -1))).as("an unknown count").contains(1L);
        } finally {
            first.destroyForcibly().waitFor();
        }
    }

    @Test
    void the_jvms_children_are_listed() throws Exception {
        Process child = new ProcessBuilder("sleep", "300").start();
        try {
            assertThat(pids(table.childrenOfSelf())).contains(child.pid());
            assertThat(table.childrenOfSelf()).allSatisfy(s -> assertThat(s.ppid()).isEqualTo(table.selfPid()));
        } finally {
            child.destroyForcibly().waitFor();
        }
        assertThat(pids(table.childrenOfSelf())).as("reaped by the JDK").doesNotContain(child.pid());
    }

    private static Set<Long> pids(List<ProcStat> stats) {
        return stats.stream().map(ProcStat::pid).collect(Collectors.toSet());
    }
}
