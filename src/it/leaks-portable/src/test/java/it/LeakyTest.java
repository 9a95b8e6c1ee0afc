package it;

import org.junit.jupiter.api.Test;

/** Leaks a process through plain ProcessBuilder: it never touches managed-processes' API. */
class LeakyTest {
    @Test
    void leaks() throws Exception {
        new ProcessBuilder("sleep", "43").start();
    }
}
