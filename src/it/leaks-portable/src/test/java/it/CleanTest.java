package it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.managedprocesses.ProcessPlatform;
import org.junit.jupiter.api.Test;

class CleanTest {
    @Test
    void runs_on_the_portable_platform_and_waits_for_its_process() throws Exception {
        assertEquals(ProcessPlatform.PORTABLE, ProcessPlatform.current(), ProcessPlatform.current().describe());
        new ProcessBuilder("true").start().waitFor();
    }
}
