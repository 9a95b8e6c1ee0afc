package dev.managedprocesses;

import dev.managedprocesses.internal.safety.ProtectedProcesses;
import dev.managedprocesses.internal.core.ProgramResolver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.testing.Stranger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad input gets an exception that says what was wrong and what to do; nothing is started or signalled. */
class BadInputTest {
    private ProcessScope scope;
    private Stranger stranger;

    @BeforeEach
    void open() {
        stranger = Stranger.start();
        scope = ProcessScope.builder().name("bad input").open();
    }

    @AfterEach
    void nothingStartedOrSignalled() {
        try (Stranger s = stranger) {
            try {
                assertThat(scope.processes()).as("nothing was started").isEmpty();
            } finally {
                scope.close();
            }
            assertThat(s.untouched()).isTrue();
        }
    }

    @Test
    void empty_command() {
        assertThatThrownBy(() -> scope.start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("command must not be empty: give the program and its arguments, e.g. start(\"sleep\", \"10\")");
        assertThatThrownBy(() -> scope.start(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void null_command_or_argument() {
        assertThatThrownBy(() -> scope.start((String[]) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("command must not be null: give the program and its arguments, e.g. start(\"sleep\", \"10\")");
        assertThatThrownBy(() -> scope.start((List<String>) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("command must not be null: give the program and its arguments, e.g. start(\"sleep\", \"10\")");
        assertThatThrownBy(() -> scope.start("echo", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("command element 1 is null in [echo, null]: pass \"\" for an empty argument, or leave the "
                        + "element out");
    }

    @Test
    void a_program_found_on_the_path_but_not_executable(@org.junit.jupiter.api.io.TempDir Path bin) throws Exception {
        Path data = Files.writeString(bin.resolve("mp-data-file"), "not a program\n");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ProgramResolver.resolve("mp-data-file", null, "/no/such/dir:" + bin))
                .isInstanceOf(ProcessStartException.class)
                .hasMessage("Cannot start 'mp-data-file': found " + data + " on PATH but it is not executable. Make it "
                        + "executable (chmod +x) or give the full path of the program you meant");
        assertThatThrownBy(() -> ProgramResolver.resolve("mp-missing", null, "/no/such/dir:" + bin))
                .isInstanceOf(ProcessStartException.class)
                .hasMessage("Cannot start 'mp-missing': no such program on the PATH searched (/no/such/dir:" + bin
                        + "). Install it, add its directory to the JVM's PATH, or give an absolute path");
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(ProgramResolver.resolve("mp-data-file", null, "/no/such/dir:" + bin)).isEqualTo(data.toString());
    }

    @Test
    void null_program() {
        String message = "program must not be null: the first element of the command names the program to run, "
                + "e.g. start(\"sleep\", \"10\")";
        assertThatThrownBy(() -> scope.start((String) null)).isInstanceOf(NullPointerException.class).hasMessage(message);
        assertThatThrownBy(() -> scope.start(null, "10")).isInstanceOf(NullPointerException.class).hasMessage(message);
        assertThatThrownBy(() -> scope.command(Arrays.asList(null, "10"))).isInstanceOf(NullPointerException.class)
                .hasMessage(message);
        assertThat(scope.processes()).isEmpty();
    }

    @Test
    void blank_program() {
        assertThatThrownBy(() -> scope.start("  ", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("program must not be blank: the first element of the command is '  '; it names the program "
                        + "to run, e.g. start(\"sleep\", \"10\")");
    }

    @Test
    void program_not_on_path_names_the_path_searched() {
        assertThatThrownBy(() -> scope.start("no-such-program-xyz"))
                .isInstanceOf(ProcessStartException.class)
                .hasMessage("Cannot start 'no-such-program-xyz': no such program on the PATH searched ("
                        + System.getenv("PATH") + "). Install it, add its directory to the JVM's PATH, or give an "
                        + "absolute path");
    }

    @Test
    void an_absolute_path_goes_to_the_spawn_unchecked_others_are_resolved_first(@TempDir Path dir) throws Exception {
        // No look at the file system before the spawn of an absolute path: the exec finds it, or the failed spawn
        // asks resolve() why (missing_file_by_path, file_that_is_not_executable, a_directory_is_not_a_program).
        Path missing = dir.resolve("missing.sh");
        assertThat(ProgramResolver.forSpawn(missing.toString(), null)).isEqualTo(missing.toString());
        // Bare names and relative paths are resolved first (PATH; the working directory).
        assertThat(ProgramResolver.forSpawn("sh", null)).startsWith("/").endsWith("/sh");
        Path script = Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(ProgramResolver.forSpawn("./run.sh", dir)).isEqualTo(script.toString());
    }

    @Test
    void missing_file_by_path(@TempDir Path dir) {
        Path missing = dir.resolve("missing.sh");
        assertThatThrownBy(() -> scope.start(missing.toString()))
                .isInstanceOf(ProcessStartException.class)
                .hasMessageStartingWith("Cannot start '" + missing + "': " + missing + " does not exist.");
    }

    @Test
    void file_that_is_not_executable(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("script.sh");
        Files.writeString(script, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> scope.start(script.toString()))
                .isInstanceOf(ProcessStartException.class)
                .hasMessage("Cannot start '" + script + "': " + script + " is not executable. Make it executable "
                        + "(chmod +x " + script + ") or run it through an interpreter (e.g. \"sh\", \"" + script + "\")");
    }

    @Test
    void a_directory_is_not_a_program(@TempDir Path dir) {
        assertThatThrownBy(() -> scope.start(dir.toString()))
                .isInstanceOf(ProcessStartException.class)
                .hasMessage("Cannot start '" + dir + "': " + dir + " is a directory, not a program");
    }

    @Test
    void working_directory_that_does_not_exist(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> scope.command("pwd").directory(missing).start())
                .isInstanceOf(ProcessStartException.class)
                .hasMessage("Cannot start 'pwd': working directory " + missing + " does not exist. Create it first "
                        + "or pass an existing directory to directory(...)");
    }

    @Test
    void invalid_signal_numbers() {
        for (int n : new int[] {0, -1, 32, 64, 99}) {
            assertThatThrownBy(() -> Signal.of(n)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Signal number " + n + " is not a valid signal on this platform: use one of the named "
                            + "POSIX signals 1-31 (for example Signal.TERM = 15, Signal.KILL = 9)");
        }
        assertThat(Signal.of(15)).isEqualTo(Signal.TERM);
    }

    @Test
    void protected_pids_are_never_signalled() {
        Os os = Os.current();
        ProcessHandle self = ProcessHandle.current();
        long parent = self.parent().orElseThrow().pid();
        long jvmGroup = os.table().stat(self.pid()).orElseThrow().pgid();
        long session = os.table().stat(self.pid()).orElseThrow().sid();
        for (long pid : new long[] {0, 1, 2, -1, -5, self.pid(), parent, session}) {
            assertThatThrownBy(() -> ProtectedProcesses.checkProcess(os.table(), pid, "signal"))
                    .as("pid %d", pid)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Refusing to signal pid " + pid + ": it is ")
                    .hasMessageEndingWith(". managed-processes only signals processes it started or adopted");
        }
        assertThatThrownBy(() -> ProtectedProcesses.checkProcess(os.table(), self.pid(), "signal")).hasMessageContaining("this JVM");
        assertThatThrownBy(() -> ProtectedProcesses.checkProcess(os.table(), parent, "signal")).hasMessageContaining("parent");
        assertThatThrownBy(() -> ProtectedProcesses.checkGroup(os.table(), jvmGroup, "signal"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Refusing to signal process group " + jvmGroup + ": it is ");
        // and the OS layer itself refuses anything that kill(2) would read as a group
        assertThatThrownBy(() -> os.control().signalPid(0, Signal.TERM)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> os.control().signalPid(-1, Signal.TERM)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> os.control().signalGroup(1, Signal.TERM)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> os.control().reap(-1)).isInstanceOf(IllegalArgumentException.class);
        // a stranger is not protected, just not ours: the check passes, but no handle can reach it
        ProtectedProcesses.checkProcess(os.table(), stranger.pid(), "signal");
    }

    @Test
    void closed_scope_refuses_new_work() {
        ProcessScope closed = ProcessScope.builder().name("done").open();
        closed.close();
        closed.close(); // idempotent
        assertThat(closed.isClosed()).isTrue();
        assertThatThrownBy(() -> closed.start("true"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot create a command: ProcessScope 'done' is closed (its processes were torn down). "
                        + "Start processes only while the scope is open (inside the test or lifecycle method that "
                        + "received it)");
        ProcessSpec spec = scope.command("true");
        scope.close();
        assertThatThrownBy(spec::start).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Cannot start true: ProcessScope 'bad input' is closed");
    }

    @Test
    void negative_timeouts() throws Exception {
        try (ProcessScope other = ProcessScope.open()) {
            ManagedProcess p = other.start("sh", "-c", "echo x; sleep 100");
            assertThatThrownBy(() -> p.waitFor(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout must not be negative but was PT-0.001S: use Duration.ZERO to check without waiting");
            assertThatThrownBy(() -> p.waitFor(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("timeout must not be null: pass a Duration, e.g. Duration.ofSeconds(10) (Duration.ZERO "
                            + "checks without waiting), or call waitFor() to wait without a limit");
            assertThatThrownBy(() -> p.terminate(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("gracePeriod must not be negative but was PT-1S: use Duration.ZERO to send SIGKILL right "
                            + "after SIGTERM, or kill() to send SIGKILL alone");
            assertThatThrownBy(() -> p.terminate(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("gracePeriod must not be null: pass a Duration, e.g. Duration.ofSeconds(2), or call "
                            + "terminate() for the scope's grace period");
            assertThatThrownBy(() -> p.stdout().awaitLine(Pattern.compile("x"), Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout must not be negative but was PT-1S: pass how long to wait for the line, e.g. "
                            + "Duration.ofSeconds(10)");
            assertThatThrownBy(() -> ProcessScope.builder().gracePeriod(Duration.ofSeconds(-2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("gracePeriod must not be negative but was PT-2S");
            assertThat(p.waitFor(Duration.ZERO)).isEmpty();
            assertThat(p.isAlive()).as("no bad call touched it").isTrue();
        }
    }

    @Test
    void invalid_redirects_and_environment() {
        assertThatThrownBy(() -> scope.command("cat").stdin(ProcessBuilder.Redirect.to(Path.of("/tmp/x").toFile())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("stdin cannot be redirected to a file");
        assertThatThrownBy(() -> scope.command("cat").stdout(ProcessBuilder.Redirect.from(Path.of("/tmp/x").toFile())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("stdout cannot be read from a file");
        assertThatThrownBy(() -> scope.command("env").environment("A=B", "c"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid environment variable name 'A=B': it must be non-empty and contain neither '=' nor NUL");
        assertThatThrownBy(() -> scope.command(Arrays.asList("echo", "a\0b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("command element 1 contains a NUL character, "
                        + "which cannot be passed to a program (arguments are C strings): remove it");
    }
}
