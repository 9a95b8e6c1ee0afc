package dev.managedprocesses.samples;

import static dev.managedprocesses.assertj.ProcessAssertions.assertThat;
import static dev.managedprocesses.awaitility.ProcessConditions.lineContaining;
import static dev.managedprocesses.awaitility.ProcessConditions.lineMatching;
import static dev.managedprocesses.awaitility.ProcessConditions.portOpen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessPlatform;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.Signal;
import dev.managedprocesses.assertj.ProcessSoftAssertions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server in a test: started in a {@link ProcessScope}, waited for with Awaitility (its
 * "serving" line, then its port), queried, and checked with the AssertJ process assertions before
 * and after it is terminated. {@code ProcessAssertions.assertThat} and AssertJ's own
 * {@code Assertions.assertThat} are imported side by side.
 */
class ServerAssertionsSampleTest {
    private static final Duration STARTUP = Duration.ofSeconds(20);
    private static final Pattern SERVING = Pattern.compile("Serving HTTP on 127\\.0\\.0\\.1 port (\\d+)");

    @TempDir
    Path webRoot;

    @Test
    void a_server_is_awaited_queried_and_asserted_on() throws Exception {
        Files.writeString(webRoot.resolve("hello.txt"), "hello from the sample\n");

        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess server = scope.command("python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1")
                    .directory(webRoot).start();

            // Wait for the server to say where it listens, then for that port to be open by this very process.
            await().atMost(STARTUP).untilAsserted(lineMatching(server.stdout(), SERVING));
            int port = portFrom(server.stdout().text());
            await().atMost(STARTUP).untilAsserted(portOpen(server, port));

            String response = get(port, "/hello.txt");
            assertThat(response).startsWith("HTTP/1.0 200").endsWith("hello from the sample\n");
            await().atMost(STARTUP).untilAsserted(lineContaining(server.stderr(), "\"GET /hello.txt HTTP/1.0\" 200"));

            assertThat(server).isAlive().notReused().hasNoLiveDescendants();
            if (ProcessPlatform.current() == ProcessPlatform.LINUX) {
                assertThat(server).isProcessGroupLeader(); // the portable platform (macOS, Windows) has no groups
            }

            server.terminate(); // SIGTERM to it and its descendants, grace period, SIGKILL if needed

            assertThat(server).isNotAlive().wasKilledBy(Signal.TERM).hasNoLiveDescendants();
            assertThat(server).stdout().startsWith("Serving HTTP on 127.0.0.1 port " + port);
            System.out.printf("[sample] server %s on port %d answered \"%s\", then was %s%n", server.command(), port,
                    response.lines().findFirst().orElse(""), server.exitStatus().orElseThrow());
        }
    }

    @Test
    void a_cli_is_asserted_softly() {
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess cli = scope.start("sh", "-c", "echo 'usage: tool [-v] FILE' >&2; exit 2");

            // Every failure is collected and reported together, each with the process's facts.
            ProcessSoftAssertions.assertSoftly(softly -> {
                softly.assertThat(cli).exitedWithin(Duration.ofSeconds(10)).exitedWith(2);
                softly.assertThat(cli).stderrLines().containsExactly("usage: tool [-v] FILE");
                softly.assertThat(cli).stdout().isEmpty();
            });
            System.out.printf("[sample] cli %s -> %s%n", cli.command(), cli.exitStatus().orElseThrow());
        }
    }

    private static int portFrom(String stdout) {
        Matcher m = SERVING.matcher(stdout);
        assertThat(m.find()).as("a serving line in %s", stdout).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** A plain HTTP/1.0 request on a socket: no client threads left behind. */
    private static String get(int port, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
            socket.setSoTimeout((int) STARTUP.toMillis());
            socket.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
