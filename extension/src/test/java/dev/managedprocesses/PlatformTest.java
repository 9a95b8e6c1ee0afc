package dev.managedprocesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.testing.PidReuse;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What holds on both platforms, checked on whichever this JVM uses (the default execution: Linux; the
 * {@code portable} execution: the JDK alone): the platform is visible and fixed, teardown ends descendants
 * found through parent links, a recycled pid is never signalled, and what a platform cannot do is refused
 * with a message that names the platform and the alternative.
 */
class PlatformTest {
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

    @Test
    void the_platform_in_use_is_visible_and_cannot_change() {
        ProcessPlatform platform = ProcessPlatform.current();
        assertThat(platform.describe()).startsWith(platform.id() + " (").contains(System.getProperty("os.name"))
                .contains(", because ");
        assertThat(ProcessPlatform.request("auto", "a test")).isSameAs(platform);
        assertThat(ProcessPlatform.request(platform.id(), "a test")).isSameAs(platform);
        ProcessPlatform other = platform == ProcessPlatform.LINUX ? ProcessPlatform.PORTABLE : ProcessPlatform.LINUX;
        assertThatThrownBy(() -> ProcessPlatform.request(other.id(), "a test"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("managedprocesses.platform=" + other.id() + " (a test) asks for the " + other.id()
                        + " platform, but this JVM already uses the " + platform.id() + " platform")
                .hasMessageContaining("Set it as a system property instead (-Dmanagedprocesses.platform=" + other.id());
        assertThatThrownBy(() -> ProcessPlatform.request("solaris", "a test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("managedprocesses.platform='solaris' (a test) is not a platform: use auto (the default: linux "
                        + "on Linux, portable elsewhere), linux or portable");
        assertThat(ProcessPlatform.current()).isSameAs(platform);
    }

    @Test
    void terminate_ends_the_process_and_every_descendant() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess sh = scope.start("sh", "-c", "sleep 300 & sleep 300 & wait");
            assertThat(Proc.eventually(TIMEOUT, () -> sh.descendants().size() == 2)).isTrue();
            List<Long> pids = sh.descendants().stream().map(ProcessInfo::pid).toList();

            assertThat(sh.terminate()).isEqualTo(ExitStatus.killedBy(Signal.TERM, false));

            assertThat(sh.endedBy()).contains(EndedBy.SIGTERM);
            assertThat(Proc.alive(sh.pid())).isFalse();
            assertThat(pids).allSatisfy(pid -> assertThat(Proc.alive(pid)).as("descendant %d", pid).isFalse());
            assertThat(sh.descendants()).isEmpty();
        }
    }

    @Test
    void a_descendant_whose_parent_dies_at_once_is_ended_too() throws Exception {
        // sh dies on SIGTERM at once, leaving its child to init: found before the first signal, it is ended too.
        ProcessScope scope = ProcessScope.builder().gracePeriod(Duration.ofSeconds(1)).open();
        long child;
        try (scope) {
            ManagedProcess sh = scope.start("sh", "-c", "sleep 300 & echo $!; wait");
            child = Long.parseLong(sh.stdout().awaitLine(java.util.regex.Pattern.compile("\\d+"), TIMEOUT).group());
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.comm(child).equals("sleep"))).isTrue();
        }
        assertThat(Proc.alive(child)).isFalse();
        assertThat(scope.records()).singleElement().satisfies(r -> assertThat(r.endedBy()).contains(EndedBy.SIGTERM));
    }

    @Test
    void what_the_platform_cannot_do_is_refused_naming_the_platform_and_the_alternative() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess p = scope.start("sleep", "300");
            if (ProcessPlatform.current() == ProcessPlatform.LINUX) {
                assertThat(p.signalDelivery()).isIn(SignalDelivery.PIDFD, SignalDelivery.PID);
                assertThat(p.signal(Signal.CONT)).isTrue();
                assertThat(p.processGroup()).isEqualTo(p.pid());
                return;
            }
            assertThat(p.signalDelivery()).isEqualTo(SignalDelivery.PROCESS_HANDLE);
            assertThatThrownBy(() -> p.signal(Signal.USR1)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("SIGUSR1 cannot be sent on the portable platform (" + System.getProperty("os.name")
                            + "): the JDK can only ask a process to terminate (SIGTERM, ProcessHandle.destroy()) or kill "
                            + "it (SIGKILL, destroyForcibly()). Use terminate() or kill(); other signals, suspend()/resume() "
                            + "and process groups need the native Linux platform");
            assertThatThrownBy(p::suspend).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageStartingWith("SIGSTOP cannot be sent on the portable platform");
            assertThatThrownBy(p::resume).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageStartingWith("SIGCONT cannot be sent on the portable platform");
            for (var groupCall : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(p::processGroup,
                    p::isProcessGroupLeader, () -> p.signalGroup(Signal.TERM))) {
                assertThatThrownBy(groupCall).isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining("process groups do not exist on the portable platform")
                        .hasMessageContaining("Use signal(...), terminate() or kill()");
            }
            assertThat(p.isAlive()).as("nothing was sent").isTrue();
            assertThat(p.signal(Signal.KILL)).isTrue();
            assertThat(p.waitFor(TIMEOUT)).contains(ExitStatus.killedBy(Signal.KILL, false));
            assertThat(p.endedBy()).contains(EndedBy.SIGKILL);
        }
    }

    @Test
    void a_handle_whose_pid_was_recycled_never_signals_the_stranger() throws Exception {
        String why = PidReuse.unavailableReason();
        assumeTrue(why == null, () -> "Skipped: " + why);
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess original = scope.start("true");
            Process jdk = new ProcessBuilder("sleep", "0.2").start();
            jdk.getOutputStream().close();
            ManagedProcess adopted = scope.adopt(jdk.toHandle());
            assertThat(original.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
            assertThat(jdk.waitFor(10, TimeUnit.SECONDS)).isTrue();
            for (ManagedProcess gone : List.of(original, adopted)) {
                long pid = gone.pid();
                assertThat(Proc.eventually(TIMEOUT, () -> !Proc.exists(pid))).as("pid %d reaped", pid).isTrue();
                Process recycled = PidReuse.strangerOn(pid);
                try {
                    long strangerStart = Proc.startTime(pid);
                    assertThat(ProcessHandle.of(pid)).as("a raw pid check is fooled").isPresent();
                    assertThat(Proc.eventually(TIMEOUT, () -> !gone.isAlive())).isTrue();
                    assertThat(gone.signal(Signal.KILL)).isFalse();
                    gone.terminate();
                    gone.kill();
                    assertThat(gone.toHandle()).isEmpty();
                    assertThat(gone.descendants()).isEmpty();
                    assertThat(ProcessIdentity.of(pid)).isNotEqualTo(java.util.Optional.of(gone.identity()));
                    assertThat(recycled.isAlive()).isTrue();
                    assertThat(Proc.startTime(pid)).isEqualTo(strangerStart);
                } finally {
                    recycled.destroyForcibly();
                    recycled.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
