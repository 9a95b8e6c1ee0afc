package dev.managedprocesses.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.assertj.ProcessAssertions;
import dev.managedprocesses.junit.ManagedProcesses;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server in a test: start it on port 0, learn the port from its stdout, talk to it, and
 * leave cleanup to the extension. When the test ends, the server and everything it forked get
 * SIGTERM, a grace period, SIGKILL if needed, and a check that nothing survived.
 */
@ManagedProcesses
class HttpServerSampleTest {
    /** Who the server was: pid + start time (by the end, its pid alone might name another process). */
    static ProcessIdentity serverIdentity;

    @Test
    void serves_a_file(ProcessScope processes, @TempDir Path webRoot) throws Exception {
        Files.writeString(webRoot.resolve("hello.txt"), "hello from a managed process\n");

        // -u: unbuffered stdout, so the "Serving HTTP on ... port N" line arrives at once
        ManagedProcess server = processes.command("python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1")
                .directory(webRoot)
                .start();
        serverIdentity = server.identity();
        int port = Integer.parseInt(server.stdout()
                .awaitLine(Pattern.compile("port (\\d+)"), Duration.ofSeconds(10))
                .group(1));

        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello.txt")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello from a managed process\n");
        assertThat(server.isAlive()).isTrue();
        // no server.terminate(): the extension ends it after the test
    }

    @AfterAll
    static void the_server_did_not_outlive_its_test() {
        // The test's processes were ended when it finished, before this runs.
        ProcessAssertions.assertThat(serverIdentity).isNotAlive();
    }
}
