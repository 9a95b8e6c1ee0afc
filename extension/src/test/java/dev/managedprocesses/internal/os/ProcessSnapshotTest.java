package dev.managedprocesses.internal.os;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OS layer's view of the process table, checked field by field against /proc as the kernel writes it. */
class ProcessSnapshotTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /**
     * A program whose name holds both parentheses and spaces: {@code /proc/<pid>/stat} must be parsed
     * after the <em>last</em> ')' or every field after the name shifts.
     */
    @LinuxOnly("the process table is /proc: state, group, session")
    @Test
    void every_field_matches_proc_even_for_a_name_with_parentheses_and_spaces(@TempDir Path dir) throws Exception {
        Path program = Files.copy(Path.of("/bin/sleep"), dir.resolve("a) b (c"));
        Os os = Os.current();
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess p = scope.start(program.toString(), "100");
            long pid = p.pid();
            // exec'd, and asleep (right after exec the loader runs: state R)
            assertThat(Proc.eventually(TIMEOUT, () -> "a) b (c".equals(Proc.comm(pid)) && Proc.state(pid) == 'S'))
                    .as("exec'd and sleeping").isTrue();
            String[] f = Proc.stat(pid).orElseThrow(); // fields after the last ')': state, ppid, pgrp, session, ...

            ProcStat fromSnapshot = os.table().snapshot().stream().filter(s -> s.pid() == pid).findFirst().orElseThrow();
            assertThat(os.table().stat(pid)).contains(fromSnapshot);
            assertThat(fromSnapshot.comm()).isEqualTo("a) b (c");
            assertThat(fromSnapshot.state()).isEqualTo(f[0].charAt(0)).isEqualTo('S');
            assertThat(fromSnapshot.ppid()).isEqualTo(Long.parseLong(f[1])).isEqualTo(os.table().selfPid());
            assertThat(fromSnapshot.pgid()).isEqualTo(Long.parseLong(f[2])).isEqualTo(pid);
            assertThat(fromSnapshot.sid()).isEqualTo(Long.parseLong(f[3])).isEqualTo(os.table().selfSessionId());
            assertThat(fromSnapshot.startTime()).isEqualTo(Long.parseLong(f[19])).isEqualTo(p.identity().startTime());

            ProcessInfo info = os.table().describe(fromSnapshot).orElseThrow();
            assertThat(info.uid()).isEqualTo(Integer.parseInt(Proc.status(pid, "Uid").split("\\s+")[0]));
            assertThat(info.commandLine()).isEqualTo(program + " 100").isEqualTo(Proc.cmdline(pid));
            assertThat(info.pgid()).isEqualTo(pid);
        }
    }

    @LinuxOnly("identity is /proc's start time in clock ticks since boot and the kernel's boot id")
    @Test
    void the_boot_id_is_the_kernels() throws Exception {
        String kernel = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        assertThat(Os.current().table().bootId()).isEqualTo(kernel);
        try (ProcessScope scope = ProcessScope.open()) {
            assertThat(scope.start("true").identity().bootId()).isEqualTo(kernel);
        }
    }

    @LinuxOnly("the process table is /proc: state, group, session")
    @Test
    void the_jvms_own_ids_are_the_kernels() {
        Os os = Os.current();
        long self = ProcessHandle.current().pid();
        String[] f = Proc.stat(self).orElseThrow();
        assertThat(os.table().selfPid()).isEqualTo(self);
        assertThat(os.table().selfParentPid()).isEqualTo(Long.parseLong(f[1]));
        assertThat(os.table().selfProcessGroupId()).isEqualTo(Long.parseLong(f[2]));
        assertThat(os.table().selfSessionId()).isEqualTo(Long.parseLong(f[3]));
    }
}
