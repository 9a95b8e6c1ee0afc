package dev.managedprocesses.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.junit.ManagedProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start script that daemonizes the classic way (double fork + setsid, pidfile, exit 0), as many
 * servers' init scripts do. The script exits at once; the daemon escaped its process group and its
 * parent. The extension still finds it (it carries the scope's marker in its environment) and ends
 * it after the test: see the "[escaped]" record in the output.
 */
@ManagedProcesses(gracePeriod = "1 s")
class DaemonizingScriptSampleTest {

    @Test
    void a_daemonized_server_is_still_cleaned_up(ProcessScope processes, @TempDir Path dir) throws Exception {
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
        long daemon = Long.parseLong(Files.readString(pidfile).trim());
        assertThat(ProcessHandle.of(daemon)).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
        System.out.println("[sample] the script exited 0; its daemon runs as pid " + daemon
                + ", in a session of its own");
        // no cleanup here: teardown finds the escaped daemon by the scope's marker and ends it
    }
}
