package dev.managedprocesses.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.junit.ManagedProcesses;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One server for the whole class: a {@code ProcessScope} parameter of a {@code @BeforeAll} method
 * lives as long as the class, so the server is started once, shared by every test, and ended after
 * the last one (the record is published on the class).
 */
@ManagedProcesses
class SharedServerSampleTest {
    @TempDir
    static Path webRoot;
    static ManagedProcess server;
    static URI base;
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void startServer(ProcessScope classScope) throws Exception {
        Files.writeString(webRoot.resolve("a.txt"), "A");
        Files.writeString(webRoot.resolve("b.txt"), "B");
        server = classScope.command("python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1")
                .directory(webRoot).start();
        String port = server.stdout().awaitLine(Pattern.compile("port (\\d+)"), Duration.ofSeconds(10)).group(1);
        base = URI.create("http://127.0.0.1:" + port + "/");
    }

    private static String get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void serves_a() throws Exception {
        assertThat(get("a.txt")).isEqualTo("A");
    }

    @Test
    void serves_b() throws Exception {
        assertThat(get("b.txt")).isEqualTo("B");
    }

    @Test
    void is_the_same_server_for_every_test() {
        assertThat(server.isAlive()).isTrue();
        assertThat(server.stdout().lines()).anyMatch(l -> l.startsWith("Serving HTTP"));
    }
}
