package it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.junit.ManagedProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests run at once in two forks; teardowns overlap with other tests' work: nobody kills anyone else's. */
@ManagedProcesses(gracePeriod = "200 ms")
class Parallel2Test {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void own_processes_survive_other_teardowns(int n, ProcessScope processes) throws Exception {
        List<ManagedProcess> mine = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            mine.add(processes.start("sh", "-c", "sleep 300 & exec sleep 300"));
        }
        Thread.sleep(300);
        for (ManagedProcess p : mine) {
            assertTrue(p.isAlive(), "killed by someone else's teardown: " + p);
            Files.writeString(Path.of("target", "pids.txt"), p.pid() + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }
}
