package dev.managedprocesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a child gets: descriptors, signal state, directory, environment, encoding, redirects. */
class SpawnEnvironmentTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private ProcessScope scope;

    @BeforeEach
    void open() {
        scope = ProcessScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** The child has exec'd {@code sleep}: what we read now is what posix_spawn gave it. */
    private ManagedProcess sleeping() {
        ManagedProcess p = scope.start("sleep", "100");
        assertThat(Proc.eventually(TIMEOUT, () -> "sleep".equals(Proc.comm(p.pid())))).isTrue();
        return p;
    }

    @Test
    void child_gets_only_descriptors_0_1_2() {
        ManagedProcess p = sleeping();
        // Right after exec the dynamic loader briefly holds libc open as fd 3; an inherited descriptor
        // would stay forever. So: it settles to exactly 0, 1, 2.
        Proc.eventually(TIMEOUT, () -> Proc.fdsOf(p.pid()).equals(java.util.List.of(0, 1, 2)));
        assertThat(Proc.fdsOf(p.pid())).containsExactly(0, 1, 2);
    }

    @LinuxOnly("a child starts with an empty signal mask and default dispositions (posix_spawn attributes)")
    @Test
    void child_starts_with_an_empty_signal_mask_and_default_dispositions() {
        ManagedProcess p = sleeping();
        assertThat(Proc.status(p.pid(), "SigBlk")).isEqualTo("0000000000000000");
        assertThat(Proc.status(p.pid(), "SigIgn")).isEqualTo("0000000000000000");
    }

    @LinuxOnly("a child starts with an empty signal mask and default dispositions (posix_spawn attributes)")
    @Test
    void a_signal_the_jvm_ignores_has_its_default_disposition_in_the_child() throws Exception {
        // sun.misc.Signal (module jdk.unsupported) through reflection: the build stays free of javac's
        // "internal proprietary API" warnings
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        Object alarm = signalClass.getConstructor(String.class).newInstance("ALRM");
        java.lang.reflect.Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
        Object before = handle.invoke(null, alarm, handlerClass.getField("SIG_IGN").get(null));
        try {
            long bit = 1L << ((int) signalClass.getMethod("getNumber").invoke(alarm) - 1);
            // the precondition that makes this test able to fail: the JVM itself ignores SIGALRM now,
            // and a child spawned without POSIX_SPAWN_SETSIGDEF would inherit that
            assertThat(Long.parseLong(Proc.status(ProcessHandle.current().pid(), "SigIgn"), 16) & bit)
                    .as("SIGALRM ignored by the JVM").isEqualTo(bit);
            ManagedProcess p = sleeping();
            assertThat(Proc.status(p.pid(), "SigIgn")).isEqualTo("0000000000000000");
        } finally {
            handle.invoke(null, alarm, before);
        }
    }

    @LinuxOnly("the library's own descriptors (pipes, pidfds) are close-on-exec")
    @Test
    void every_descriptor_the_library_keeps_is_close_on_exec() throws Exception {
        var before = Proc.libraryKindFds();
        ManagedProcess p = scope.start("cat"); // stdin, stdout and stderr pipes, and a pidfd
        p.stdin().write('x');
        p.stdin().flush();
        // numbers an earlier test's closes freed too: a pipe is new by its inode, the pidfd by the process it names
        var mine = Proc.openedSince(before, Proc.libraryKindFds());
        assertThat(mine.values()).as("pipes opened for the process").filteredOn(t -> t.startsWith("pipe:"))
                .hasSizeGreaterThanOrEqualTo(3);
        List<Integer> pidfds = Proc.pidfdsOf(p.pid());
        assertThat(pidfds).as("the process's pidfd").isNotEmpty();
        pidfds.forEach(fd -> mine.put(fd, "anon_inode:[pidfd] of " + p.pid()));
        mine.forEach((fd, target) -> assertThat(Proc.fdFlags(fd) & 02000000)
                .as("O_CLOEXEC on fd %d (%s)", fd, target).isNotZero());
    }

    @Test
    void inherited_streams_are_the_jvms_own() {
        ManagedProcess p = scope.command("sleep", "100").stdout(Redirect.INHERIT).stderr(Redirect.INHERIT).start();
        assertThat(Proc.eventually(TIMEOUT, () -> "sleep".equals(Proc.comm(p.pid())))).isTrue();
        long self = ProcessHandle.current().pid();
        assertThat(Proc.fdTarget(p.pid(), 1)).isEqualTo(Proc.fdTarget(self, 1));
        assertThat(Proc.fdTarget(p.pid(), 2)).isEqualTo(Proc.fdTarget(self, 2));
        assertThat(p.stdout().isCaptured()).isFalse();
        assertThat(p.stderr().isCaptured()).isFalse();
    }

    @LinuxOnly("arguments and environment reach the child as UTF-8 whatever the JVM's charset (the JDK encodes them with sun.jnu.encoding)")
    @Test
    void arguments_environment_and_output_are_utf8_whatever_the_default_charset() throws Exception {
        assumeFalse(Charset.defaultCharset().equals(StandardCharsets.UTF_8),
                "this test proves something only when the JVM's default charset is not UTF-8 (surefire sets LANG=C)");
        ManagedProcess p = scope.command("sh", "-c", "printf '%s|%s\\n' \"$1\" \"$GREETING\"", "sh", "héllo wörld ✓")
                .environment("GREETING", "grüß dich").start();
        assertThat(p.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
        assertThat(p.stdout().awaitLineContaining("|", TIMEOUT)).isEqualTo("héllo wörld ✓|grüß dich");
    }

    /**
     * A JVM in the C locale decodes a non-ASCII environment value lossily (System.getenv shows '?' or
     * U+FFFD); its managed children must still inherit the exact bytes, as the JDK's own children do.
     */
    @LinuxOnly("arguments and environment reach the child as UTF-8 whatever the JVM's charset (the JDK encodes them with sun.jnu.encoding)")
    @Test
    void inherited_environment_bytes_reach_the_child_unchanged_in_a_c_locale_jvm() throws Exception {
        ManagedProcess jvm = scope.command(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                        "-cp", System.getProperty("java.class.path"),
                        dev.managedprocesses.testing.InheritedEnvironmentChild.class.getName())
                .clearEnvironment().environment("PATH", System.getenv("PATH")).environment("LANG", "C")
                .environment("LC_ALL", "C").environment("X", "grüß").start();
        assertThat(jvm.waitFor(Duration.ofSeconds(60))).contains(ExitStatus.exited(0));
        jvm.stdout().awaitLineContaining("child", TIMEOUT);
        assertThat(jvm.stdout().lines()).as("stderr: %s", jvm.stderr().lines())
                .containsExactly("jnu ANSI_X3.4-1968", "decoded lossy", "child 67 72 c3 bc c3 9f");
    }

    @Test
    void working_directory_and_environment_as_asked(@TempDir Path dir) throws Exception {
        ManagedProcess p = scope.command("sh", "-c", "pwd; echo \"K=$K\"; echo \"HOME=${HOME-unset}\"; echo \"S=$"
                        + ProcessScope.SCOPE_VARIABLE + "\"")
                .directory(dir).environment("K", "V").removeEnvironment("HOME").start();
        assertThat(p.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
        p.stdout().awaitLineContaining("S=", TIMEOUT);
        assertThat(p.stdout().lines()).containsExactly(dir.toRealPath().toString(), "K=V", "HOME=unset",
                "S=" + scope.id());
    }

    @Test
    void relative_program_paths_resolve_against_the_working_directory(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("hello.sh");
        Files.writeString(script, "#!/bin/sh\necho from script\n");
        script.toFile().setExecutable(true);
        ManagedProcess p = scope.command("./hello.sh").directory(dir).start();
        assertThat(p.stdout().awaitLineContaining("from", TIMEOUT)).isEqualTo("from script");
    }

    @Test
    void redirects_to_files_discard_and_merge(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.txt");
        Path in = dir.resolve("in.txt");
        Files.writeString(in, "from file\n");
        ManagedProcess toFile = scope.command("sh", "-c", "cat; echo err >&2").stdin(Redirect.from(in.toFile()))
                .stdout(Redirect.to(out.toFile())).stderr(Redirect.DISCARD).start();
        assertThat(toFile.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
        assertThat(Files.readString(out)).isEqualTo("from file\n");
        assertThat(toFile.stdout().isCaptured()).isFalse();
        assertThat(toFile.stdout().hasEnded()).isTrue();

        ManagedProcess appended = scope.command("echo", "more").stdout(Redirect.appendTo(out.toFile())).start();
        assertThat(appended.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
        assertThat(Files.readString(out)).isEqualTo("from file\nmore\n");

        ManagedProcess merged = scope.command("sh", "-c", "echo out; echo err >&2").mergeStderrIntoStdout().start();
        assertThat(merged.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
        merged.stdout().awaitLineContaining("err", TIMEOUT);
        assertThat(merged.stdout().lines()).containsExactlyInAnyOrder("out", "err");
        assertThat(merged.stderr().lines()).isEmpty();
    }

    @Test
    void output_beyond_the_limit_drops_the_oldest_lines() throws Exception {
        ManagedProcess p = scope.command("sh", "-c", "i=0; while [ $i -lt 1000 ]; do echo line$i; i=$((i+1)); done")
                .outputLimit(100).start();
        assertThat(p.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
        p.stdout().awaitLineContaining("line999", TIMEOUT);
        assertThat(p.stdout().text().length()).isLessThanOrEqualTo(100);
        assertThat(p.stdout().tail(1)).containsExactly("line999");
        assertThat(p.stdout().droppedLines()).isGreaterThan(900);
    }
}
