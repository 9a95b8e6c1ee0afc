package dev.managedprocesses.torture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessPlatform;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.ProcessStartException;
import dev.managedprocesses.Signal;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import dev.managedprocesses.testing.Proc;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every public entry point with bad input: a clear exception naming what was wrong, and nothing signalled. */
class BadInputTableTest {
    private static TrappingStrangers strangers;
    private static ProcessScope scope;
    private static ProcessScope closed;
    private static ManagedProcess running;

    @BeforeAll
    static void setUp() throws Exception {
        strangers = new TrappingStrangers(2);
        scope = ProcessScope.builder().name("table").open();
        running = scope.start("sleep", "300");
        closed = ProcessScope.builder().name("closed one").open();
        closed.close();
    }

    @AfterAll
    static void nothingSignalled() throws Exception {
        try (TrappingStrangers s = strangers) {
            assertThat(running.isAlive()).as("no bad call touched the running process").isTrue();
            scope.close();
            assertThat(s.wronged()).as("strangers signalled:%n%s", s.describe()).isZero();
        }
    }

    static Stream<Arguments> table() {
        long self = ProcessHandle.current().pid();
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        List<Arguments> rows = new ArrayList<>();
        row(rows, "start()", () -> scope.start(), IllegalArgumentException.class, "command must not be empty");
        row(rows, "start(null)", () -> scope.start((String[]) null), NullPointerException.class, "command must not be null");
        row(rows, "start(List.of())", () -> scope.start(List.of()), IllegalArgumentException.class, "must not be empty");
        row(rows, "start(\"\")", () -> scope.start(""), IllegalArgumentException.class, "program must not be blank");
        row(rows, "start((String) null)", () -> scope.start((String) null), NullPointerException.class, "program must not be null");
        row(rows, "start(\"echo\", null)", () -> scope.start("echo", null), NullPointerException.class, "command element 1 is null");
        row(rows, "start(missing program)", () -> scope.start("no-such-program-xyz"), ProcessStartException.class, "PATH searched");
        row(rows, "start(directory)", () -> scope.start("/tmp"), ProcessStartException.class, "is a directory");
        row(rows, "directory(null)", () -> scope.command("true").directory(null), NullPointerException.class, "directory must not be null");
        row(rows, "directory(missing)", () -> scope.command("true").directory(Path.of("/no/such/dir")).start(), ProcessStartException.class, "does not exist");
        row(rows, "environment(null, v)", () -> scope.command("true").environment(null, "v"), NullPointerException.class, "name must not be null");
        row(rows, "environment(\"\", v)", () -> scope.command("true").environment("", "v"), IllegalArgumentException.class, "Invalid environment variable name");
        row(rows, "environment(k, null)", () -> scope.command("true").environment("K", null), NullPointerException.class, "value of environment variable K");
        row(rows, "stdin(Redirect.to)", () -> scope.command("true").stdin(Redirect.to(Path.of("/tmp/x").toFile())), IllegalArgumentException.class, "stdin cannot be redirected to a file");
        row(rows, "stdout(null)", () -> scope.command("true").stdout(null), NullPointerException.class, "redirect must not be null");
        row(rows, "outputLimit(0)", () -> scope.command("true").outputLimit(0), IllegalArgumentException.class, "outputLimit must be at least 1");
        row(rows, "outputCharset(null)", () -> scope.command("true").outputCharset(null), NullPointerException.class, "charset must not be null");
        for (long pid : new long[] {0, 1, 2, -1}) {
            row(rows, "adopt(" + pid + ")", () -> scope.adopt(pid), IllegalArgumentException.class, "Cannot adopt pid " + pid + ": it is ");
        }
        row(rows, "adopt(JVM)", () -> scope.adopt(self), IllegalArgumentException.class, "it is this JVM");
        row(rows, "adopt(parent)", () -> scope.adopt(parent), IllegalArgumentException.class, "it is this JVM's parent");
        // The session and group leaders are often the parent too (then the row above covers them)
        long sid = Long.parseLong(Proc.stat(self).orElseThrow()[3]);
        long pgid = Proc.pgid(self);
        if (sid > 2 && sid != self && sid != parent) {
            // The portable platform cannot read sessions or groups: it refuses their leaders as ancestors of the JVM.
            row(rows, "adopt(session leader)", () -> scope.adopt(sid), IllegalArgumentException.class,
                    ProcessPlatform.current() == ProcessPlatform.LINUX ? "it is this JVM's session leader"
                            : "it is an ancestor of this JVM");
        }
        if (pgid > 2 && pgid != self && pgid != parent && pgid != sid) {
            row(rows, "adopt(group leader)", () -> scope.adopt(pgid), IllegalArgumentException.class,
                    ProcessPlatform.current() == ProcessPlatform.LINUX ? "it is the leader of this JVM's process group"
                            : "it is an ancestor of this JVM");
        }
        row(rows, "adopt(no such pid)", () -> scope.adopt(4_000_001L), IllegalArgumentException.class, "no such process");
        row(rows, "adopt((Process) null)", () -> scope.adopt((Process) null), NullPointerException.class, "process must not be null");
        row(rows, "adopt((ProcessHandle) null)", () -> scope.adopt((ProcessHandle) null), NullPointerException.class, "handle must not be null");
        row(rows, "adopt(pid, null)", () -> scope.adopt(running.pid(), null), NullPointerException.class, "expectedExecutable must not be null");
        row(rows, "Signal.of(0)", () -> Signal.of(0), IllegalArgumentException.class, "Signal number 0 is not a valid signal");
        row(rows, "Signal.of(99)", () -> Signal.of(99), IllegalArgumentException.class, "Signal number 99 is not a valid signal");
        row(rows, "Signal.of(-9)", () -> Signal.of(-9), IllegalArgumentException.class, "Signal number -9 is not a valid signal");
        row(rows, "ExitStatus.exited(256)", () -> ExitStatus.exited(256), IllegalArgumentException.class, "Exit code must be 0-255");
        row(rows, "ExitStatus.killedBy(null)", () -> ExitStatus.killedBy(null, false), NullPointerException.class, "signal");
        row(rows, "new ProcessIdentity(0)", () -> new ProcessIdentity(0, 1, "b"), IllegalArgumentException.class, "pid must be positive");
        row(rows, "signal(null)", () -> running.signal(null), NullPointerException.class, "signal must not be null");
        row(rows, "waitFor(-1 ms)", () -> running.waitFor(Duration.ofMillis(-1)), IllegalArgumentException.class, "timeout must not be negative");
        row(rows, "waitFor(null)", () -> running.waitFor(null), NullPointerException.class, "timeout must not be null");
        row(rows, "terminate(-1 s)", () -> running.terminate(Duration.ofSeconds(-1)), IllegalArgumentException.class, "gracePeriod must not be negative");
        row(rows, "awaitLine(null, t)", () -> running.stdout().awaitLine(null, Duration.ZERO), NullPointerException.class, "pattern");
        row(rows, "awaitLine(p, -1 s)", () -> running.stdout().awaitLine(Pattern.compile("x"), Duration.ofSeconds(-1)), IllegalArgumentException.class, "timeout must not be negative");
        row(rows, "tail(-1)", () -> running.stdout().tail(-1), IllegalArgumentException.class, "n must not be negative");
        row(rows, "builder().gracePeriod(-1 s)", () -> ProcessScope.builder().gracePeriod(Duration.ofSeconds(-1)), IllegalArgumentException.class, "gracePeriod must not be negative");
        row(rows, "builder().gracePeriod(null)", () -> ProcessScope.builder().gracePeriod(null), NullPointerException.class, "gracePeriod must not be null");
        row(rows, "builder().name(null)", () -> ProcessScope.builder().name(null), NullPointerException.class, "name must not be null");
        row(rows, "closed scope: start", () -> closed.start("true"), IllegalStateException.class, "ProcessScope 'closed one' is closed");
        row(rows, "closed scope: command", () -> closed.command("true"), IllegalStateException.class, "is closed");
        row(rows, "closed scope: adopt", () -> closed.adopt(running.pid()), IllegalStateException.class, "is closed");
        return rows.stream();
    }

    private static void row(List<Arguments> rows, String call, ThrowingCallable callable, Class<? extends Throwable> type,
            String message) {
        rows.add(Arguments.of(call, callable, type, message));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void bad_input_gets_a_clear_exception(String call, ThrowingCallable callable, Class<? extends Throwable> type,
            String message) {
        Throwable thrown = catchThrowable(callable);
        assertThat(thrown).as(call).isInstanceOf(type).hasMessageContaining(message);
        assertThat(scope.processes()).as("nothing was started by %s", call).containsExactly(running);
    }
}
