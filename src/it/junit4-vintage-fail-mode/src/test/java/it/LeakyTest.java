package it;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** A JUnit 4 test class: one test leaks a process through plain ProcessBuilder, one cleans up after itself. */
public class LeakyTest {
    @Test
    public void leaks() throws Exception {
        new ProcessBuilder("sleep", "46").start();
    }

    @Test
    public void waits_for_its_process() throws Exception {
        assertEquals(0, new ProcessBuilder("true").start().waitFor());
    }
}
