package dev.managedprocesses.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessPlatform;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.assertj.ProcessAssertions;
import dev.managedprocesses.junit.ManagedProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start script that daemonizes the classic way (double fork + setsid, pidfile, exit 0), as many
 * servers' init scripts do. The script exits at once; the daemon escaped its process group and its
 * parent. The extension still finds it (it carries the scope's marker in its environment) and ends
 * it after the test: see the "[escaped]" record in the output, and the check after all tests below.
 * Only the native Linux platform can read the marker in another process's environment: on the portable
 * platform (macOS, Windows) the test is skipped, saying so.
 */
@ManagedProcesses(gracePeriod = "1 s")
class DaemonizingScriptSampleTest {
    /** Who the daemon was: pid + start time (by the end, its pid alone might name another process). */
    static ProcessIdentity daemon;

    @Test
    void a_daemonized_server_is_still_cleaned_up(ProcessScope processes, @TempDir Path dir) throws Exception {
        assumeTrue(ProcessPlatform.current() == ProcessPlatform.LINUX, "a daemon that escaped its parent is found by "
                + "the scope's marker in its environment, which only the native Linux platform can read");
        Path script = dir.resolve("start-daemon.sh");
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "# fork, new session, fork again, write the pidfile, and leave",
                "( setsid sh -c 'sleep 300 & echo $! > \"$1\"; wait' sh \"$1\" & ) ",
                "exit 0", ""));
        script.toFile().setExecutable(true);
        Path pidfile = dir.resolve("daemon.pid");

        ManagedProcess starter = processes.start(script.toString(), pidfile.toString());
        assertThat(starter.waitFor(Duration.ofSeconds(10))).hasValueSatisfying(s -> assertThat(s.code()).isZero());

        // the daemon is running, outside the starter's group and session
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(pidfile) || Files.readString(pidfile).isBlank()) {
            assertThat(System.nanoTime()).as("pidfile written in time").isLessThan(deadline);
            Thread.sleep(10);
        }
        long pid = Long.parseLong(Files.readString(pidfile).trim());
        daemon = ProcessIdentity.of(pid).orElseThrow(() -> new AssertionError("the daemon, pid " + pid + ", is not running"));
        System.out.println("[sample] the script exited 0; its daemon runs as pid " + pid
                + ", in a session of its own");
        // no cleanup here: teardown finds the escaped daemon by the scope's marker and ends it
    }

    @AfterAll
    static void the_daemon_did_not_outlive_its_test() {
        // The test's processes were ended when it finished, before this runs: the daemon is gone too
        // (its pid is free, a zombie, or some newer process's, which the start time tells apart).
        if (daemon != null) { // null when the test was skipped
            ProcessAssertions.assertThat(daemon).isNotAlive();
        }
    }
}
