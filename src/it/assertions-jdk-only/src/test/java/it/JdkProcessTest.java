package it;

import static dev.managedprocesses.assertj.ProcessAssertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Code under test that uses the JDK's ProcessBuilder; the test only uses managed-processes'
 * assertions on the JDK's own Process and ProcessHandle objects (no scope, no extension).
 */
class JdkProcessTest {
    @Test
    void a_cli_exits_with_its_code() throws Exception {
        Process cli = new ProcessBuilder("sh", "-c", "exit 3").start();
        assertThat(cli).exitedWithin(Duration.ofSeconds(10)).exitedWith(3).isNotAlive();
    }

    @Test
    void a_server_is_alive_until_destroyed() throws Exception {
        Process server = new ProcessBuilder("sleep", "300").start();
        try {
            assertThat(server).isAlive();
            assertThat(server.toHandle()).isAlive().hasNoLiveDescendants();
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(server).isNotAlive();
        assertThat(server.toHandle()).isNotAlive();
    }
}
