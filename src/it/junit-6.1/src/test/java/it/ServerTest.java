package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.junit.ManagedProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A consumer's test: a class-scoped process shared by tests, and per-test processes left to teardown. */
@ManagedProcesses(gracePeriod = "500 ms")
class ServerTest {
    static ManagedProcess shared;

    @BeforeAll
    static void start(ProcessScope classScope) throws Exception {
        shared = classScope.start("sh", "-c", "echo 'listening on port 4242'; exec sleep 300");
        assertEquals("4242", shared.stdout().awaitLine(Pattern.compile("port (\\d+)"), Duration.ofSeconds(10)).group(1));
        remember(shared.pid());
    }

    @Test
    void uses_the_shared_process(ProcessScope processes) throws Exception {
        assertTrue(shared.isAlive());
        ManagedProcess mine = processes.start("sh", "-c", "(sleep 300 &) ; sleep 300"); // with a daemon
        remember(mine.pid());
        assertTrue(mine.isAlive());
    }

    @Test
    void fails_and_gets_its_output_kept(ProcessScope processes) {
        ManagedProcess p = processes.start("sh", "-c", "echo 'diagnostic line'; exec sleep 300");
        p.stdout().awaitLineContaining("diagnostic", Duration.ofSeconds(10));
        remember(p.pid());
        throw new AssertionError("failing on purpose: its output must be attached");
    }

    static void remember(long pid) {
        try {
            Files.writeString(Path.of("target", "pids.txt"), pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
