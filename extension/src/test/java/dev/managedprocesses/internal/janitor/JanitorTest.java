package dev.managedprocesses.internal.janitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.SpawnRequest;
import dev.managedprocesses.internal.os.SpawnRequest.Stdio;
import dev.managedprocesses.internal.os.Spawned;
import dev.managedprocesses.testing.Containment;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The janitor on its own: this JVM's janitor (session, descriptors, environment), and the script's
 * protocol, run against a stand-in "JVM" (a {@code sleep} this test kills) and victims that are this
 * test's own children, so that how each one ended can be read.
 */
class JanitorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Os OS = Os.current();
    private static final String PATH = "PATH=" + System.getenv("PATH");
    /** Children of this test not reaped yet: their pids cannot be recycled, so signalling them is safe. */
    private final Set<Long> children = new LinkedHashSet<>();
    private Process standIn;

    @BeforeEach
    void standIn() throws IOException {
        standIn = new ProcessBuilder("sleep", "300").start();
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        standIn.destroyForcibly();
        standIn.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long self = ProcessHandle.current().pid();
        for (long pid : List.copyOf(children)) {
            // what it forked (a script's 'sleep 1') is orphaned by the kill: to this JVM, a subreaper, to reap too
            List<Long> below = Proc.pids().stream().filter(p -> Proc.ppid(p) == pid).toList();
            OS.control().signalGroup(pid, Signal.KILL); // each leads a group of its own (a session, for the janitor)
            OS.control().signalPid(pid, Signal.KILL);
            reap(pid);
            for (long orphan : below) {
                Proc.eventually(TIMEOUT, () -> !Proc.exists(orphan) || (Proc.ppid(orphan) == self && Proc.state(orphan) == 'Z'));
                if (Proc.ppid(orphan) == self && Proc.state(orphan) == 'Z') {
                    OS.control().reap(orphan);
                }
            }
        }
    }

    @LinuxOnly("crash safety: the janitor process ends everything when the JVM is SIGKILLed")
    @Test
    void this_jvms_janitor_runs_alone_in_a_session_of_its_own_and_only_this_jvm_can_write_to_it() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess child = scope.start("sleep", "300");
            long janitor = Janitor.pid().orElseThrow();
            long self = ProcessHandle.current().pid();

            assertThat(Proc.ppid(janitor)).as("this JVM's child").isEqualTo(self);
            assertThat(Proc.stat(janitor).orElseThrow()[3]).as("leads its own session").isEqualTo(Long.toString(janitor));
            assertThat(Proc.pgid(janitor)).as("and its own group").isEqualTo(janitor);
            assertThat(scope.processes()).extracting(ManagedProcess::pid).doesNotContain(janitor);
            assertThat(new String(Files.readAllBytes(Path.of("/proc/" + janitor + "/environ")), StandardCharsets.UTF_8))
                    .as("no scope cookie: it never looks like a managed process").doesNotContain(ProcessScope.SCOPE_VARIABLE);
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + janitor + "/cwd"))).isEqualTo(Path.of("/"));
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + janitor + "/fd/1"))).isEqualTo(Path.of("/dev/null"));
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + janitor + "/fd/2"))).isEqualTo(Path.of("/dev/null"));

            String pipe = Files.readSymbolicLink(Path.of("/proc/" + janitor + "/fd/0")).toString();
            assertThat(pipe).startsWith("pipe:");
            List<String> holders = holdersOf(pipe);
            assertThat(holders).as("who holds the janitor's pipe (not %s, a managed child)", child.pid())
                    .hasSize(2).contains(janitor + "/0").anyMatch(h -> h.startsWith(self + "/"));
            String ours = holders.stream().filter(h -> h.startsWith(self + "/")).findFirst().orElseThrow();
            int flags = Integer.parseInt(Files.readAllLines(Path.of("/proc/self/fdinfo/" + ours.substring(ours.indexOf('/') + 1)))
                    .stream().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow().substring(6).trim(), 8);
            assertThat(flags & 01).as("the write end").isEqualTo(01);
            assertThat(flags & 02000000).as("close-on-exec: no child inherits it").isNotZero();
            assertThat(flags & 04000).as("non-blocking: registering never blocks a spawn").isNotZero();
        }
    }

    @LinuxOnly("crash safety: the janitor process ends everything when the JVM is SIGKILLed")
    @Test
    void short_lived_processes_never_reach_the_janitor_and_a_long_lived_one_does_after_the_delay_unless_its_cgroup_holds_it() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            scope.start("true").waitFor(); // the janitor runs and knows this scope's cookie from here on
            long janitor = Janitor.pid().orElseThrow();
            long quiet = Janitor.REGISTRATION_DELAY_MILLIS * 3;
            Thread.sleep(quiet); // what earlier processes left in the batch is flushed by now
            long before = bytesRead(janitor);
            for (int i = 0; i < 20; i++) {
                ManagedProcess p = scope.start("true");
                p.waitFor();
                assertThat(Proc.eventually(TIMEOUT, () -> !Proc.exists(p.pid()))).isTrue();
            }
            Thread.sleep(quiet);
            long line = ("+g " + Integer.MAX_VALUE + " " + Long.MAX_VALUE + "\n").length(); // longer than any line
            // Each `true` is gone within about a millisecond; one alive when a batch happens to be written
            // is told (and taken back): a few at most, never the 2 lines x 20 processes of a write per event.
            assertThat(bytesRead(janitor) - before).as("bytes the janitor read for 20 short-lived processes")
                    .isLessThan(2 * 4 * line);

            long beforeSleep = bytesRead(janitor);
            ManagedProcess sleeper = scope.start("sleep", "300");
            if (Containment.cgroups()) {
                Thread.sleep(quiet);
                assertThat(bytesRead(janitor) - beforeSleep)
                        .as("bytes the janitor read for a process its cgroup holds (the janitor ends the cgroups)")
                        .isZero();
            } else {
                assertThat(Proc.eventually(TIMEOUT, () -> bytesRead(janitor) - beforeSleep
                        >= ("+g " + sleeper.pid() + " " + sleeper.identity().startTime() + "\n").length()))
                        .as("a process that lives on is registered after %d ms", Janitor.REGISTRATION_DELAY_MILLIS)
                        .isTrue();
            }
        }
    }

    /** Bytes {@code pid} has read so far (rchar in /proc/PID/io: the janitor reads only its pipe). */
    private static long bytesRead(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                if (l.startsWith("rchar:")) {
                    return Long.parseLong(l.substring("rchar:".length()).trim());
                }
            }
            throw new IllegalStateException("no rchar in /proc/" + pid + "/io");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @LinuxOnly("crash safety: the janitor process ends everything when the JVM is SIGKILLed")
    @Test
    void on_bye_it_exits_quietly_and_touches_nothing() throws Exception {
        long victim = spawn("exec sleep 300");
        ScriptRun janitor = janitor();
        janitor.send("+g " + victim + " " + Proc.startTime(victim), "bye");
        janitor.close();
        assertThat(janitor.awaitExit()).isEqualTo(ExitStatus.exited(Janitor.EXIT_BYE));
        assertThat(Proc.alive(victim)).isTrue();
    }

    @LinuxOnly("crash safety: the janitor process ends everything when the JVM is SIGKILLed")
    @Test
    void end_of_input_while_the_jvm_still_runs_is_no_crash_and_touches_nothing() throws Exception {
        long victim = spawn("exec sleep 300");
        ScriptRun janitor = janitor();
        janitor.send("+g " + victim + " " + Proc.startTime(victim));
        janitor.close(); // as a stray close(fd) elsewhere in the JVM would
        assertThat(janitor.awaitExit()).isEqualTo(ExitStatus.exited(Janitor.EXIT_PIPE_CLOSED));
        assertThat(Proc.alive(victim)).isTrue();
    }

    @LinuxOnly("crash safety: the janitor process ends everything when the JVM is SIGKILLed")
    @Test
    void end_of_input_after_the_jvm_died_ends_exactly_what_is_registered_with_its_identity() throws Exception {
        String cookie = "123-4-abc";
        long group = spawn("exec sleep 300");
        long solo = spawn("exec sleep 300");
        long stubborn = spawn("trap '' TERM; exec sleep 300");
        long marked = spawn("exec sleep 300", ProcessScope.SCOPE_VARIABLE + "=" + cookie);
        long otherCookie = spawn("exec sleep 300", ProcessScope.SCOPE_VARIABLE + "=" + cookie + "d");
        long wrongStart = spawn("exec sleep 300");
        long wrongGroupStart = spawn("exec sleep 300");
        long unregistered = spawn("exec sleep 300");
        for (long pid : children) {
            assertThat(Proc.eventually(TIMEOUT, () -> "sleep".equals(Proc.comm(pid)))).isTrue(); // traps are set
        }

        ScriptRun janitor = janitor();
        janitor.send("+g " + group + " " + Proc.startTime(group),
                "+p " + solo + " " + Proc.startTime(solo),
                "+g " + stubborn + " " + Proc.startTime(stubborn),
                "+s " + cookie,
                "+p " + wrongStart + " " + (Proc.startTime(wrongStart) + 1),
                "+g " + wrongGroupStart + " " + (Proc.startTime(wrongGroupStart) - 1),
                "+p " + unregistered + " " + Proc.startTime(unregistered),
                "-p " + unregistered + " " + Proc.startTime(unregistered),
                // never understood, never acted on:
                "+g 12 x", "+q 1 2", "garbage", "+s bad*cookie", "+g -1 1", "+p " + solo, "+p 0 0");
        standIn.destroyForcibly(); // the "JVM" dies
        standIn.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        janitor.close();            // its descriptors close: what the kernel does to a killed JVM's

        assertThat(janitor.awaitExit()).isEqualTo(ExitStatus.exited(Janitor.EXIT_CLEANED_UP));
        assertThat(reap(group)).contains(ExitStatus.killedBy(Signal.TERM, false));
        assertThat(reap(solo)).contains(ExitStatus.killedBy(Signal.TERM, false));
        assertThat(reap(marked)).as("found by its cookie").contains(ExitStatus.killedBy(Signal.TERM, false));
        assertThat(reap(stubborn)).as("SIGTERM ignored: SIGKILL after the grace")
                .contains(ExitStatus.killedBy(Signal.KILL, false));
        for (long pid : List.of(otherCookie, wrongStart, wrongGroupStart, unregistered)) {
            assertThat(Proc.alive(pid)).as("pid %d is not (or no longer) the registered process", pid).isTrue();
            assertThat(Proc.state(pid)).isNotEqualTo('T');
        }
    }

    @LinuxOnly("crash safety: the janitor process ends everything when the JVM is SIGKILLed")
    @Test
    void after_the_jvm_died_a_protected_pid_is_never_signalled_even_when_registered_or_marked() throws Exception {
        String cookie = "123-5-abc";
        // Stand-ins for the JVM's ancestors: registered by pid, as a group, and carrying a cookie; each traps
        // every signal the janitor sends and writes it down, so a signal cannot go unnoticed.
        Path log = Files.createTempFile("protected", ".log");
        try {
            String trap = "trap 'echo TERM >> " + log + "' TERM; trap 'echo CONT >> " + log + "' CONT; "
                    + "while :; do sleep 1; done";
            long asProcess = spawn(trap);
            long asGroup = spawn(trap);
            long marked = spawn(trap, ProcessScope.SCOPE_VARIABLE + "=" + cookie);
            for (long pid : List.of(asProcess, asGroup, marked)) {
                assertThat(Proc.eventually(TIMEOUT, () -> Proc.cmdline(pid).contains("while"))).isTrue();
            }
            SpawnRequest request = Janitor.request("/bin/sh", standIn.pid(), Proc.startTime(standIn.pid()),
                    List.of(asProcess, asGroup, marked));
            Spawned s = OS.spawner().spawn(request);
            ScriptRun janitor = new ScriptRun(s.pid(), s.stdinFd());
            janitor.send("+p " + asProcess + " " + Proc.startTime(asProcess),
                    "+g " + asGroup + " " + Proc.startTime(asGroup),
                    "+s " + cookie);
            standIn.destroyForcibly(); // the "JVM" dies
            standIn.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            janitor.close();

            assertThat(janitor.awaitExit()).isEqualTo(ExitStatus.exited(Janitor.EXIT_CLEANED_UP));
            for (long pid : List.of(asProcess, asGroup, marked)) {
                assertThat(Proc.alive(pid)).as("protected pid %d", pid).isTrue();
            }
            assertThat(Files.readString(log)).as("signals the protected processes received").isEmpty();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A janitor script watching the stand-in "JVM", as this test's child. */
    private ScriptRun janitor() throws Exception {
        SpawnRequest request = Janitor.request("/bin/sh", standIn.pid(), Proc.startTime(standIn.pid()));
        Spawned s = OS.spawner().spawn(request);
        return new ScriptRun(s.pid(), s.stdinFd());
    }

    /** {@code sh -c script} as this test's child, leading a group of its own. */
    private long spawn(String script, String... environment) throws Exception {
        List<String> env = new ArrayList<>(List.of(PATH));
        env.addAll(List.of(environment));
        Spawned s = OS.spawner().spawn(new SpawnRequest("/bin/sh", List.of("sh", "-c", script), env, null,
                Stdio.DISCARD, Stdio.DISCARD, Stdio.DISCARD));
        children.add(s.pid());
        return s.pid();
    }

    /** Waits for our child {@code pid} to exit and reaps it. */
    private Optional<ExitStatus> reap(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (children.contains(pid) && System.nanoTime() < deadline) {
            Optional<ExitStatus> status = OS.control().reap(pid);
            if (status.isPresent()) {
                children.remove(pid);
                return status;
            }
            Thread.sleep(20);
        }
        return Optional.empty();
    }

    /** "pid/fd" of every descriptor in the system that refers to {@code target}. */
    private static List<String> holdersOf(String target) {
        List<String> out = new ArrayList<>();
        for (long pid : Proc.pids()) {
            try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(target)) {
                            out.add(pid + "/" + fd.getFileName());
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the process is gone, or its descriptors are not readable
            }
        }
        return out;
    }

    /** A janitor script started by this test: its pid and the write end of its pipe. */
    private final class ScriptRun {
        private final long pid;
        private final int fd;

        ScriptRun(long pid, int fd) {
            this.pid = pid;
            this.fd = fd;
            children.add(pid);
        }

        void send(String... lines) throws IOException {
            byte[] b = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII);
            OS.descriptors().write(fd, b, 0, b.length);
        }

        void close() {
            OS.descriptors().close(fd);
        }

        ExitStatus awaitExit() throws InterruptedException {
            return reap(pid).orElseThrow();
        }
    }
}
