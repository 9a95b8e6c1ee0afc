package dev.managedprocesses.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A command-line tool asserted on its exit code and output, with a plain {@link ProcessScope}
 * (no JUnit extension needed): whatever the test leaves running is ended when the scope closes.
 */
class CliSampleTest {

    @Test
    void a_cli_is_asserted_on_exit_code_and_output() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess cli = scope.start("sh", "-c", "echo 'usage: tool [-v] FILE' >&2; exit 2");

            ExitStatus status = cli.waitFor(Duration.ofSeconds(10)).orElseThrow();

            assertThat(status.code()).isEqualTo(2);
            assertThat(cli.stderr().lines()).containsExactly("usage: tool [-v] FILE");
            System.out.printf("[sample] cli %s -> %s, stderr: %s%n", cli.command(), status, cli.stderr().lines());
        }
    }
}
