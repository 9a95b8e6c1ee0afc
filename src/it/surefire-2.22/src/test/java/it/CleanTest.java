package it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.junit.ManagedProcesses;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@ManagedProcesses
class CleanTest {
    @Test
    void uses_a_scope(ProcessScope processes) {
        ManagedProcess p = processes.start("sh", "-c", "echo ready; exec sleep 300");
        p.stdout().awaitLineContaining("ready", Duration.ofSeconds(10));
    }

    @Test
    void waits_for_its_process() throws Exception {
        assertEquals(0, new ProcessBuilder("true").start().waitFor());
    }
}
