package dev.managedprocesses.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A test that leaks a process the way real suites do: plain {@link ProcessBuilder}, no cleanup,
 * no managed-processes API at all. The samples run the leak detector in warn mode (see this
 * module's pom.xml), so the run names this test, draws the leaked tree and writes
 * {@code target/leaks-<pid>-<random>.txt}, which the samples print at the end.
 */
class LeakySampleTest {
    static Process leaked;

    @Test
    void forgets_to_stop_its_helper_process() throws Exception {
        leaked = new ProcessBuilder("sleep", "120").start();
        assertThat(leaked.isAlive()).isTrue();
        // ...and returns without stopping it: the detector reports it when this test ends
    }

    @AfterAll
    static void tidyUpAfterTheDetectorHasSeenIt() throws Exception {
        // Only so that the sample run leaves nothing behind; the detector judged the test already.
        leaked.destroy();
        leaked.waitFor(10, TimeUnit.SECONDS);
    }
}
