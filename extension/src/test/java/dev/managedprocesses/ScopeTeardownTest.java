package dev.managedprocesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedprocesses.internal.safety.Subreaper;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    /**
     * The one marked process once it is {@code comm} and carries the cookie, else -1: taken from the same look,
     * since another look may miss it (while it execs, its environment reads as empty for a moment).
     */
    private static long theMarked(ProcessScope scope, String comm) {
        List<Long> m = marked(scope);
        return m.size() == 1 && comm.equals(Proc.comm(m.get(0))) ? m.get(0) : -1;
    }

    @LinuxOnly("an escapee that left its group (setsid) is found by the scope's cookie in its environment")
    @Test
    void a_setsid_escapee_is_found_by_its_marker_and_ended() throws Exception {
        ProcessScope scope = ProcessScope.open();
        try (scope) {
            ManagedProcess sh = scope.start("sh", "-c", "setsid sleep 300 & exit 0");
            sh.waitFor(TIMEOUT);
            // wait until the background child has exec'd setsid (before that it is still in the group)
            assertThat(Proc.eventually(TIMEOUT, () -> {
                long escapee = theMarked(scope, "sleep");
                return escapee > 0 && Proc.pgid(escapee) != sh.pid();
            })).as("it left the group").isTrue();
        }
        assertThat(marked(scope)).isEmpty();
        assertThat(scope.records()).anySatisfy(r -> {
            assertThat(r.origin()).isEqualTo(ProcessRecord.Origin.ESCAPED);
            assertThat(r.endedBy()).contains(EndedBy.SIGTERM);
            if (Subreaper.isActive()) { // the default; not in the cgroups-off-no-subreaper execution
                assertThat(r.exitStatus()).as("reaped by us: it re-parented to the JVM").contains(ExitStatus.killedBy(Signal.TERM, false));
            } else {
                assertThat(r.exitStatus()).as("init reaped it: its status is init's").isEmpty();
            }
        });
        assertThat(Proc.zombieChildren()).isEmpty();
    }

    @LinuxOnly("a double-forked orphan re-parents to the JVM, a child subreaper")
    @Test
    void a_double_forked_daemon_is_ended_with_its_group() throws Exception {
        ProcessScope scope = ProcessScope.open();
        try (scope) {
            ManagedProcess sh = scope.start("sh", "-c", "(sleep 300 &) ; exit 0");
            sh.waitFor(TIMEOUT);
            long[] found = {-1};
            assertThat(Proc.eventually(TIMEOUT, () -> (found[0] = theMarked(scope, "sleep")) > 0)).isTrue();
            long daemon = found[0];
            if (Subreaper.isActive()) { // the default; not in the cgroups-off-no-subreaper execution
                assertThat(Proc.ppid(daemon)).as("re-parented to the JVM, a subreaper").isEqualTo(ProcessHandle.current().pid());
            } else {
                assertThat(Proc.ppid(daemon)).as("re-parented away from the JVM").isNotEqualTo(ProcessHandle.current().pid());
            }
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

    @LinuxOnly("adoption moves a process into a group of its own, or says why (setpgid's errno); signals by pidfd or pid")
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

    /** The JDK's reaper thread reports the status a moment after the exit: terminate() and kill() wait for it. */
    @Test
    void terminate_and_kill_of_an_adopted_jdk_process_return_its_status_every_time() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            for (int i = 0; i < 20; i++) {
                ManagedProcess term = scope.adopt(new ProcessBuilder("sleep", "300").start());
                ManagedProcess kill = scope.adopt(new ProcessBuilder("sleep", "300").start());
                assertThat(term.terminate()).as("terminate(), round %d", i).isNotNull()
                        .isIn(ExitStatus.killedBy(Signal.TERM, false), ExitStatus.exited(143));
                assertThat(kill.kill()).as("kill(), round %d", i).isNotNull()
                        .isIn(ExitStatus.killedBy(Signal.KILL, false), ExitStatus.exited(137));
            }
        }
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

    // ---------------------------------------------------------------- adoption: what setpgid allows

    /** The one line the process wrote first (a pid, from {@code echo $!}). */
    private static long firstLineAsPid(Process p) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return Long.parseLong(in.readLine().trim());
    }

    private static void destroy(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("%s ended", p).isTrue();
    }

    /** Cleanup when a test failed halfway: ends {@code pid} if it is still the process that started at {@code start}. */
    private static void killIfStill(long pid, long start) {
        if (start > 0 && Proc.startTime(pid) == start && Proc.alive(pid)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static final String ENDED_BY_TEARDOWN = ", ended by SIGTERM from teardown in \\d+ ms"
            + " \\((cgroup v2|process groups, marker and lineage)\\)";

    @LinuxOnly("adoption moves a process into a group of its own, or says why (setpgid's errno)")
    @Test
    void a_child_in_another_session_is_tracked_on_its_own_because_of_eperm() throws Exception {
        Process jdk = new ProcessBuilder("setsid", "sleep", "300").start();
        try {
            // until setsid(2) has run it is merely exec'd (EACCES): wait for the new session
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.stat(jdk.pid()).map(f -> f[3]).orElse("")
                    .equals(Long.toString(jdk.pid())) && Proc.comm(jdk.pid()).equals("sleep"))).isTrue();
            ProcessScope scope = ProcessScope.open();
            try (scope) {
                ManagedProcess adopted = scope.adopt(jdk);
                assertThatThrownBy(() -> adopted.signalGroup(Signal.TERM)).isInstanceOf(UnsupportedOperationException.class)
                        .hasMessage("pid " + jdk.pid() + " is tracked on its own, not as a process group of this library "
                                + "(it is in another session (EPERM)): signal it with signal(...); terminate() also "
                                + "ends its descendants");
            }
            assertThat(jdk.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(jdk.exitValue()).isEqualTo(143);
            // teardown waits for the JDK's reaper thread to deliver an adopted Process's status before the record
            assertThat(scope.records()).singleElement().asString().matches("pid " + jdk.pid()
                    + " \\(sleep 300\\) \\[adopted\\]: killed by SIGTERM" + ENDED_BY_TEARDOWN);
        } finally {
            destroy(jdk);
        }
    }

    @LinuxOnly("adoption moves a process into a group of its own, or says why (setpgid's errno)")
    @Test
    void a_grandchild_adopted_by_pid_is_tracked_on_its_own_because_of_esrch() throws Exception {
        Process sh = new ProcessBuilder("sh", "-c", "sleep 300 & echo $!; wait").start();
        long grandchild = firstLineAsPid(sh);
        long grandchildStart = Proc.startTime(grandchild);
        try {
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.comm(grandchild).equals("sleep"))).isTrue();
            ProcessScope scope = ProcessScope.open();
            try (scope) {
                ManagedProcess adopted = scope.adopt(grandchild);
                assertThatThrownBy(() -> adopted.signalGroup(Signal.TERM)).isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining("(it is not a child of this JVM (ESRCH))");
            }
            assertThat(Proc.alive(grandchild)).isFalse();
            assertThat(scope.records()).singleElement().asString()
                    .matches("pid " + grandchild + " \\(sleep 300\\) \\[adopted\\]: exit status unknown" + ENDED_BY_TEARDOWN);
            assertThat(sh.waitFor(10, TimeUnit.SECONDS)).as("its parent, left alone, sees it end").isTrue();
        } finally {
            killIfStill(grandchild, grandchildStart);
            destroy(sh);
        }
    }

    @LinuxOnly("adoption moves a process into a group of its own, or says why (setpgid's errno)")
    @Test
    void a_process_handle_is_adopted_and_ended() throws Exception {
        Process jdk = new ProcessBuilder("sleep", "300").start();
        try {
            ProcessScope scope = ProcessScope.open();
            try (scope) {
                ManagedProcess adopted = scope.adopt(jdk.toHandle());
                assertThat(adopted.pid()).isEqualTo(jdk.pid());
                assertThat(adopted.isAlive()).isTrue();
                assertThatThrownBy(() -> adopted.signalGroup(Signal.TERM)).hasMessageContaining("(EACCES)");
            }
            assertThat(jdk.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(jdk.exitValue()).isEqualTo(143);
            assertThat(scope.records()).singleElement().asString()
                    .matches("pid " + jdk.pid() + " \\(sleep 300\\) \\[adopted\\]: exit status unknown" + ENDED_BY_TEARDOWN);
        } finally {
            destroy(jdk);
        }
    }

    @LinuxOnly("a zombie is told from a running process (its state in /proc)")
    @Test
    void a_zombie_is_refused() throws Exception {
        // the parent forks a child that exits at once, and reaps it only when told to
        Process parent = new ProcessBuilder("python3", "-c", "import os, sys\n"
                + "pid = os.fork()\n"
                + "if pid == 0:\n    os._exit(0)\n"
                + "print(pid, flush=True)\nsys.stdin.readline()\nos.waitpid(pid, 0)\n").start();
        try {
            long zombie = firstLineAsPid(parent);
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.state(zombie) == 'Z')).isTrue();
            try (ProcessScope scope = ProcessScope.open()) {
                assertThatThrownBy(() -> scope.adopt(zombie)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("Cannot adopt pid " + zombie + ": it has already exited (it is a zombie waiting "
                                + "for its parent to reap it)");
                assertThat(scope.processes()).isEmpty();
            }
            parent.getOutputStream().write('\n');
            parent.getOutputStream().flush();
            assertThat(parent.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(parent.exitValue()).isZero();
            assertThat(Proc.exists(zombie)).as("reaped by its parent").isFalse();
        } finally {
            destroy(parent);
        }
    }

    @Test
    void the_expected_executable_may_be_a_full_path() throws Exception {
        Path sleep = null;
        for (String dir : System.getenv("PATH").split(":")) {
            Path candidate = Path.of(dir, "sleep");
            if (sleep == null && !dir.isEmpty() && Files.isExecutable(candidate)) {
                sleep = candidate; // what ProcessBuilder runs, possibly through a symbolic link
            }
        }
        assertThat(sleep).as("sleep on the PATH").isNotNull();
        Process jdk = new ProcessBuilder("sleep", "300").start();
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess adopted = scope.adopt(jdk.pid(), sleep);
            assertThat(scope.processes()).containsExactly(adopted);
        } finally {
            destroy(jdk);
        }
    }

    @Test
    void the_descendants_of_an_adopted_process_are_ended_with_it() throws Exception {
        // The sh dies at once on SIGTERM: teardown must have found its child before the first signal, or the
        // child, re-parented to this JVM, would live on.
        Process sh = new ProcessBuilder("sh", "-c", "sleep 300 & echo $!; wait").start();
        long grandchild = firstLineAsPid(sh);
        long grandchildStart = Proc.startTime(grandchild);
        try {
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.comm(grandchild).equals("sleep"))).isTrue();
            try (ProcessScope scope = ProcessScope.open()) {
                scope.adopt(sh);
            }
            assertThat(Proc.alive(grandchild)).as("the adopted process's child").isFalse();
            assertThat(sh.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            killIfStill(grandchild, grandchildStart);
            destroy(sh);
        }
        // whichever died first, teardown reaped the child that became this JVM's zombie
        assertThat(Proc.zombieChildren()).as("zombie children of the JVM").isEmpty();
    }

    @Test
    void a_refused_adoption_starts_nothing() throws Exception {
        // In a fresh JVM: here the janitor (a child process) and the reactor may have started long ago.
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), RefusedAdoption.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(ProcessScope.SCOPE_VARIABLE);
        Process child = builder.start();
        try {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(output).isEqualTo("refused 5\nchildren before [sleep]\nchildren after [sleep]\n"
                    + "reactor false\n");
        } finally {
            destroy(child);
        }
    }

    /** Refuses five adoptions, and says which children and threads the JVM has before and after. */
    static final class RefusedAdoption {
        public static void main(String[] args) throws Exception {
            Process sleep = new ProcessBuilder("sleep", "300").start();
            try {
                String before = children();
                int refused = 0;
                try (ProcessScope scope = ProcessScope.open()) {
                    for (long pid : new long[] {1, ProcessHandle.current().pid(), 4_000_000L}) {
                        try {
                            scope.adopt(pid);
                        } catch (IllegalArgumentException e) {
                            refused++;
                        }
                    }
                    try {
                        scope.adopt(sleep.pid(), Path.of("/nonexistent/python3"));
                    } catch (IllegalArgumentException e) {
                        refused++;
                    }
                    try {
                        scope.adopt(ProcessHandle.current());
                    } catch (IllegalArgumentException e) {
                        refused++;
                    }
                    System.out.println("refused " + refused);
                    System.out.println("children before " + before);
                    System.out.println("children after " + children());
                    System.out.println("reactor " + Thread.getAllStackTraces().keySet().stream()
                            .anyMatch(t -> t.getName().equals("managed-processes-reactor")));
                }
            } finally {
                sleep.destroyForcibly().waitFor();
            }
        }

        private static String children() throws IOException {
            List<String> names = new ArrayList<>();
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    for (String pid : Files.readString(task.resolve("children")).trim().split(" ")) {
                        if (!pid.isEmpty()) {
                            names.add(Proc.comm(Long.parseLong(pid)));
                        }
                    }
                }
            }
            return names.toString();
        }
    }
}
