package dev.managedprocesses.torture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.testing.Proc;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bugs the torture suite and dogfooding found, each pinned by a test named after it. */
class RegressionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /**
     * Found by TortureTest: an escapee that died while its original parent lived was that parent's
     * zombie, re-parented to the JVM only when the parent died later in teardown, and left unreaped.
     */
    @Test
    void an_escapee_that_dies_under_its_living_parent_is_reaped_not_left_a_zombie() throws Exception {
        ProcessScope scope = ProcessScope.builder().gracePeriod(Duration.ofMillis(300)).open();
        try (scope) {
            // the leader ignores SIGTERM, so the escapee dies first, as the leader's zombie
            scope.start("sh", "-c", "trap '' TERM; setsid sleep 300 & exec sleep 300");
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.withEnvironment(ProcessScope.SCOPE_VARIABLE + "="
                    + scope.id()).size() == 2)).isTrue();
        }
        assertThat(Proc.zombieChildren()).as("zombie children right after teardown").isEmpty();
    }

    /**
     * Found by TortureTest: with the JVM a subreaper, orphans of JDK-started trees re-parent to it
     * and the JDK never reaps them. Stale orphan zombies are now reaped at scope close.
     */
    @Test
    void orphan_zombies_of_jdk_started_trees_are_reaped() throws Exception {
        try (ProcessScope first = ProcessScope.open()) {
            first.start("true").waitFor(); // the JVM is a subreaper from here on
        }
        Process jdk = new ProcessBuilder("sh", "-c", "(sleep 0.1 &) ; exit 0").start();
        jdk.waitFor();
        assertThat(Proc.eventually(TIMEOUT, () -> !Proc.zombieChildren().isEmpty()))
                .as("the orphan became the JVM's zombie").isTrue();
        ProcessScope.open().close(); // notes it
        Thread.sleep(600);            // longer than any JDK reaper could need
        ProcessScope.open().close(); // reaps it
        assertThat(Proc.zombieChildren()).isEmpty();
        assertThat(jdk.exitValue()).as("the JDK's own child kept its status").isZero();
    }

    /**
     * Found by ResourceTest under load: waitFor() returned before the reactor had drained the pipes,
     * so output read right after it could be incomplete.
     */
    @Test
    void output_is_complete_when_waitFor_returns() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            for (int i = 0; i < 50; i++) {
                ManagedProcess p = scope.start("sh", "-c", "echo one; echo two >&2; echo three");
                p.waitFor(TIMEOUT);
                assertThat(p.stdout().lines()).containsExactly("one", "three");
                assertThat(p.stderr().lines()).containsExactly("two");
            }
        }
    }
}
