package dev.managedprocesses.torture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.Signal;
import dev.managedprocesses.testing.JdkTrees;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.PidReuse;
import dev.managedprocesses.testing.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100 forced pid reuses (root): a dead process's handle, and a dead group's handle, whose pid (and
 * pgid) now belong to a signal-trapping stranger. Every signal path of the handle is exercised; the
 * stranger must log nothing and stay alive and running.
 */
class ForcedPidReuseTortureTest {
    private static final String TRAPPER = "for s in HUP INT QUIT USR1 USR2 TERM CONT ALRM; do "
            + "trap \"echo $s >> $LOG\" $s; done; echo ready; while :; do sleep 1; done";

    @LinuxOnly("a handle never signals a recycled pid, proven with process-group signals and SIGSTOP")
    @Test
    void a_hundred_recycled_pids_are_never_signalled(@TempDir Path dir) throws Exception {
        String why = PidReuse.unavailableReason();
        assumeTrue(why == null, () -> "Skipped: " + why);
        int reused = 0;
        int wrong = 0;
        int attempts = 0;
        while (reused < 100 && attempts < 150) {
            attempts++;
            boolean group = attempts % 2 == 0;
            try (ProcessScope scope = ProcessScope.open()) {
                // a group leader that exits with its group empty, or a plain child: both end up reaped
                ManagedProcess dead = scope.start("sh", "-c", "exit 0");
                dead.waitFor(Duration.ofSeconds(10));
                long pid = dead.pid();
                if (!Proc.eventually(Duration.ofSeconds(10), () -> !Proc.exists(pid))) {
                    continue;
                }
                Path log = dir.resolve("log-" + attempts);
                // for the group case the stranger leads a group with the very same id (setsid keeps the pid)
                String[] command = group ? new String[] {"setsid", "sh", "-c", TRAPPER} : new String[] {"sh", "-c", TRAPPER};
                Optional<Process> forced = startWithEnv(pid, log, command);
                if (forced.isEmpty()) {
                    continue;
                }
                Process stranger = forced.get();
                try {
                    new String(stranger.getInputStream().readNBytes(6));
                    if (group && Proc.pgid(pid) != pid) {
                        continue; // setsid forked instead (it was a group leader): not the case we want
                    }
                    reused++;
                    dead.signal(Signal.TERM);
                    dead.signal(Signal.KILL);
                    dead.signalGroup(Signal.TERM);
                    dead.suspend();
                    dead.resume();
                    dead.terminate(Duration.ofMillis(10));
                    dead.kill();
                    boolean signalled = Files.exists(log) && Files.size(log) > 0;
                    if (signalled || !stranger.isAlive() || Proc.suspended(pid)) {
                        wrong++;
                    }
                } finally {
                    JdkTrees.end(stranger); // stopped first: killed as it loops, it would leave its next sleep as our zombie
                }
            }
        }
        System.out.printf("[torture] forced pid reuses: %d (of %d attempts), wrong signals: %d%n", reused, attempts, wrong);
        assertThat(reused).as("forced reuses achieved").isGreaterThanOrEqualTo(100);
        assertThat(wrong).as("strangers signalled").isZero();
    }

    private static Optional<Process> startWithEnv(long pid, Path log, String... command) throws Exception {
        for (int i = 0; i < 50; i++) {
            try (var out = new java.io.FileOutputStream("/proc/sys/kernel/ns_last_pid")) {
                out.write(Long.toString(pid - 1).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().put("LOG", log.toString());
            Process p = pb.start();
            if (p.pid() == pid) {
                return Optional.of(p);
            }
            p.destroyForcibly();
            p.waitFor();
        }
        return Optional.empty();
    }
}
