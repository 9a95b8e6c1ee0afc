package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.junit.ManagedProcesses;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@ManagedProcesses
class OnJava25Test {
    @Test
    void runs_on_java_25(ProcessScope processes) throws Exception {
        assertEquals(25, Runtime.version().feature());
        ManagedProcess p = processes.start("sh", "-c", "exit 7");
        assertEquals(ExitStatus.exited(7), p.waitFor(Duration.ofSeconds(10)).orElseThrow());
        ManagedProcess sleeper = processes.start("sleep", "300");
        assertFalse(sleeper.terminate().exited());
    }
}
