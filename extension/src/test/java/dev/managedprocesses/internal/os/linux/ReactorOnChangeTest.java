package dev.managedprocesses.internal.os.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.internal.reactor.Reactor;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Reactor#registerOnChange}: the output pipes and pidfds of spawned processes are watched edge-triggered,
 * so that the end of a watch (end of file, exit) costs no system call. What that must not cost: an end of file
 * that came in the same change as the last output, and output beyond what the reactor reads for one event.
 */
@LinuxOnly("the reactor's epoll is the native platform's")
class ReactorOnChangeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void a_watch_on_change_runs_once_per_change_not_while_the_descriptor_stays_ready() throws Exception {
        LibC libc = CgroupFiles.libc();
        int[] pipe = TestPipe.open();
        Reactor reactor = Reactor.get();
        AtomicInteger calls = new AtomicInteger();
        Reactor.Registration r = reactor.registerOnChange(pipe[0], x -> calls.incrementAndGet()); // never reads
        try {
            assertThat(r.isEdge()).as("epoll watches it edge-triggered").isTrue();
            assertThat(libc.write(pipe[1], new byte[] {1}, 0, 1)).isEqualTo(1);
            await().atMost(TIMEOUT).until(() -> calls.get() == 1);
            for (int i = 0; i < 5; i++) {
                turn(reactor); // each a turn of the reactor (a wake-up, an epoll_wait) with the byte still unread
            }
            assertThat(calls).as("no event while the unread byte stays").hasValue(1);
            assertThat(libc.write(pipe[1], new byte[] {2}, 0, 1)).isEqualTo(1);
            await().atMost(TIMEOUT).until(() -> calls.get() == 2);
        } finally {
            CountDownLatch closed = new CountDownLatch(1);
            reactor.execute(() -> {
                r.cancelAndClose(); // the read end, on the reactor thread
                closed.countDown();
            });
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
            libc.close(pipe[1]);
        }
    }

    /** Waits until the reactor has run a task: one more turn of its loop. */
    private static void turn(Reactor reactor) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        reactor.execute(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void every_line_and_end_of_file_of_many_short_lived_processes_is_read() throws Exception {
        // Processes that write a line and exit at once, a burst of them: each pipe's changes and each exit come in
        // any order, often as one event. (At a leader's exit its pipes are read to their end as well, so the case
        // where nothing else reads the end of file is the next test's.)
        int n = 150;
        try (ProcessScope scope = ProcessScope.builder().name("last-output").open()) {
            List<ManagedProcess> processes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                processes.add(scope.command("sh", "-c", "echo out-" + i + "; echo err-" + i + " >&2").start());
            }
            for (ManagedProcess p : processes) {
                assertThat(p.waitFor(TIMEOUT)).map(ExitStatus::code).contains(0);
            }
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> processes.stream()
                    .allMatch(p -> p.stdout().hasEnded() && p.stderr().hasEnded()));
            for (int i = 0; i < n; i++) {
                assertThat(processes.get(i).stdout().lines()).containsExactly("out-" + i);
                assertThat(processes.get(i).stderr().lines()).containsExactly("err-" + i);
            }
        }
    }

    @Test
    void the_end_of_file_that_comes_with_a_descendants_last_output_is_seen(@TempDir Path dir) throws Exception {
        // The leader exits first; a descendant holding its stdout writes a last line and exits while the reactor is
        // held, so that the line and the end of file reach it as one change of the pipe. A watch that stopped at the
        // short read of the line would wait for an end of file that no later event announces.
        Path go = dir.resolve("go");
        try (ProcessScope scope = ProcessScope.builder().name("last-change").open()) {
            ManagedProcess p = scope.command("sh", "-c", "sh -c 'echo $$ >&2; while [ ! -e \"$1\" ]; do sleep 0.01; done; "
                    + "echo late' descendant \"$0\" &", go.toString()).start();
            long descendant = Long.parseLong(p.stderr().awaitLine(Pattern.compile("\\d+"), TIMEOUT).group());
            assertThat(p.waitFor(TIMEOUT)).map(ExitStatus::code).contains(0);
            exitWhileTheReactorIsHeld(go, descendant);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> p.stdout().hasEnded());
            assertThat(p.stdout().lines()).containsExactly("late");
        }
    }

    /**
     * Holds the reactor thread (a task that waits), creates {@code go}, waits until {@code pid} has exited (a zombie
     * nobody reaps while the reactor is held, or gone), then lets the reactor go: whatever that process wrote and its
     * end of file reach the reactor together.
     */
    private static void exitWhileTheReactorIsHeld(Path go, long pid) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Reactor.get().execute(() -> {
            held.countDown();
            try {
                release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            Files.createFile(go);
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> "Z-".indexOf(Proc.state(pid)) >= 0);
        } finally {
            release.countDown();
        }
    }

    @Test
    void a_pipe_that_holds_more_than_one_turn_reads_is_read_to_its_end(@TempDir Path dir) throws Exception {
        // A descendant, after its leader's exit, makes the stdout pipe it holds as large as it may (1 MiB, unless the
        // limit was raised), fills it and exits while the reactor is held: one change of the pipe announces it all and
        // the end of file, more than a pipe's event reads (1 MiB), and the rest must be read without another change
        // to announce it.
        Path go = dir.resolve("go");
        try (ProcessScope scope = ProcessScope.builder().name("full-pipe").open()) {
            String perl = "my $max = 0 + `cat /proc/sys/fs/pipe-max-size`; fcntl(STDOUT, 1031, $max) or die "
                    + "\"F_SETPIPE_SZ: $!\"; my $size = fcntl(STDOUT, 1032, 0); print STDERR \"$size $$\\n\"; "
                    + "select(undef, undef, undef, 0.01) until -e $ARGV[0]; $| = 0; "
                    + "print(('x' x 1023) . \"\\n\") for 1 .. $size / 1024; close(STDOUT) or die";
            ManagedProcess p = scope.command("sh", "-c", "perl -e \"$0\" \"$1\" &", perl, go.toString())
                    .outputLimit(32 << 20).start();
            MatchResult started = p.stderr().awaitLine(Pattern.compile("(\\d+) (\\d+)"), TIMEOUT);
            int size = Integer.parseInt(started.group(1));
            long writer = Long.parseLong(started.group(2));
            assertThat(size).isGreaterThanOrEqualTo(1 << 20);
            exitWhileTheReactorIsHeld(go, writer);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> p.stdout().hasEnded());
            assertThat(p.stdout().lines()).hasSize(size / 1024).allMatch(l -> l.length() == 1023);
        }
    }
}
