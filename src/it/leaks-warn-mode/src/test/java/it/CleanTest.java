package it;

import org.junit.jupiter.api.Test;

class CleanTest {
    @Test
    void waits_for_its_process() throws Exception {
        new ProcessBuilder("true").start().waitFor();
    }
}
