package dev.managedprocesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Teardown of a scope without JUnit: escaped descendants, adoption, records. */
class ScopeTeardownTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private Stranger stranger;

    @BeforeEach
    void stranger() {
        stranger = Stranger.start();
    }

    @AfterEach
    void strangerSurvived() {
        try (Stranger s = stranger) {
            assertThat(s.untouched()).as("a process outside every scope is never signalled").isTrue();
        }
    }

    private static List<Long> marked(ProcessScope scope) {
        return Proc.withEnvironment(ProcessScope.SCOPE_VARIABLE + "=" + scope.id());
    }

    @Test
    void a_setsid_escapee_is_found_by_its_marker_and_ended() throws Exception {
        ProcessScope scope = ProcessScope.open();
        try (scope) {
            ManagedProcess sh = scope.start("sh", "-c", "setsid sleep 300 & exit 0");
            sh.waitFor(TIMEOUT);
            // wait until the background child has exec'd setsid (before that it is still in the group)
            assertThat(Proc.eventually(TIMEOUT, () -> marked(scope).size() == 1
                    && Proc.pgid(marked(scope).get(0)) != sh.pid())).as("it left the group").isTrue();
        }
        assertThat(marked(scope)).isEmpty();
        assertThat(scope.records()).anySatisfy(r -> {
            assertThat(r.origin()).isEqualTo(ProcessRecord.Origin.ESCAPED);
            assertThat(r.endedBy()).contains(EndedBy.SIGTERM);
            assertThat(r.exitStatus()).as("reaped by us: it re-parented to the JVM").contains(ExitStatus.killedBy(Signal.TERM, false));
        });
        assertThat(Proc.zombieChildren()).isEmpty();
    }

    @Test
    void a_double_forked_daemon_is_ended_with_its_group() throws Exception {
        ProcessScope scope = ProcessScope.open();
        try (scope) {
            ManagedProcess sh = scope.start("sh", "-c", "(sleep 300 &) ; exit 0");
            sh.waitFor(TIMEOUT);
            assertThat(Proc.eventually(TIMEOUT, () -> marked(scope).size() == 1)).isTrue();
            long daemon = marked(scope).get(0);
            assertThat(Proc.ppid(daemon)).as("re-parented to the JVM, a subreaper").isEqualTo(ProcessHandle.current().pid());
        }
        assertThat(marked(scope)).isEmpty();
        assertThat(Proc.zombieChildren()).isEmpty();
    }

    @Test
    void fifty_grandchildren_are_ended() throws Exception {
        ProcessScope scope = ProcessScope.open();
        try (scope) {
            ManagedProcess sh = scope.start("sh", "-c", "for i in $(seq 50); do sleep 300 & done; echo forked; wait");
            sh.stdout().awaitLineContaining("forked", TIMEOUT);
            assertThat(Proc.eventually(TIMEOUT, () -> sh.descendants().size() == 50)).isTrue();
        }
        assertThat(marked(scope)).isEmpty();
        assertThat(scope.records()).singleElement().satisfies(r -> {
            assertThat(r.wasLeftover()).isTrue();
            assertThat(r.endedBy()).contains(EndedBy.SIGTERM);
        });
    }

    @Test
    void an_adopted_process_builder_process_keeps_its_jdk_exit_status() throws Exception {
        Process jdk = new ProcessBuilder("sleep", "300").start();
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess adopted = scope.adopt(jdk);
            assertThat(adopted.isAlive()).isTrue();
            assertThat(adopted.signalDelivery()).isIn(SignalDelivery.PIDFD, SignalDelivery.PID);
            assertThat(adopted.isProcessGroupLeader()).isFalse();
            assertThatThrownBy(() -> adopted.signalGroup(Signal.TERM)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("EACCES");
        }
        assertThat(jdk.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(jdk.exitValue()).as("the JDK still reads its own status").isEqualTo(143);
    }

    @Test
    void adopting_by_pid_checks_the_executable() throws Exception {
        Process jdk = new ProcessBuilder("sleep", "300").start();
        try (ProcessScope scope = ProcessScope.open()) {
            assertThatThrownBy(() -> scope.adopt(jdk.pid(), Path.of("/usr/bin/python3")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Cannot adopt pid " + jdk.pid() + ": it runs ")
                    .hasMessageEndingWith("sleep, not the expected /usr/bin/python3");
            ManagedProcess adopted = scope.adopt(jdk.pid(), Path.of("sleep"));
            assertThat(adopted.pid()).isEqualTo(jdk.pid());
            assertThat(scope.processes()).containsExactly(adopted);
        } finally {
            jdk.destroyForcibly();
            jdk.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(jdk.isAlive()).isFalse();
    }

    @Test
    void adopting_protected_or_missing_pids_is_refused() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            long self = ProcessHandle.current().pid();
            long parent = ProcessHandle.current().parent().orElseThrow().pid();
            for (long pid : new long[] {0, 1, 2, -3, self, parent}) {
                assertThatThrownBy(() -> scope.adopt(pid)).as("pid %d", pid)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("Cannot adopt pid " + pid + ": it is ")
                        .hasMessageEndingWith(". Adopt only processes that your test started");
            }
            assertThatThrownBy(() -> scope.adopt(4_000_000L)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Cannot adopt pid 4000000: no such process. Adopt a process while it is running");
            assertThatThrownBy(() -> scope.adopt(ProcessHandle.current()))
                    .hasMessageStartingWith("Cannot adopt pid " + self + ": it is this JVM");
            assertThat(scope.processes()).isEmpty();
        }
    }
}
