package dev.managedprocesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Nothing outlives a process: no zombie, no descriptor, no thread; and threads do not grow with processes. */
class ResourceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @BeforeAll
    static void warmUp() throws Exception {
        // The library's single reactor thread starts with the first process; count after it exists.
        try (ProcessScope scope = ProcessScope.open()) {
            scope.start("true").waitFor();
        }
    }

    @Test
    void two_hundred_children_started_and_ended_leave_no_zombie_fd_or_thread() throws Exception {
        var fdsBefore = Proc.libraryKindFds();
        var allFdsBefore = Proc.fdsExceptClassLoading();
        int threadsBefore = Proc.threads();

        try (ProcessScope scope = ProcessScope.open()) {
            for (int i = 0; i < 200; i++) {
                ManagedProcess p = scope.start("sh", "-c", "echo " + i);
                assertThat(p.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
            }
        }

        assertThat(Proc.zombieChildren()).as("zombie children of the JVM").isEmpty();
        // The last child may have exited but not yet been reaped when close() began: its descriptors are closed at its
        // reap, which close() waits for (only those of processes a teardown ends are closed after it).
        assertThat(Proc.openedSince(fdsBefore, Proc.libraryKindFds())).as("open pipes, pidfds, epoll/event fds")
                .isEmpty();
        assertThat(Proc.openedSince(allFdsBefore, Proc.fdsExceptClassLoading()))
                .as("every open descriptor (files, /proc, /dev/null too)").isEmpty();
        // JDK-internal threads may come and go; the library must add none
        assertThat(Proc.threads()).as("threads").isLessThanOrEqualTo(threadsBefore);
    }

    /**
     * A process that had exited before close(), its reap held back by a member of its group, is reaped by the teardown
     * but not ended by it: its descriptors (its stdin pipe and its pidfd) are closed at that reap, before close()
     * returns, as they would have been had its group emptied on its own.
     */
    @Test
    void the_descriptors_of_a_process_that_had_exited_before_close_are_closed_when_close_returns() throws Exception {
        // Against the library's thread closing them a moment after close() returns: one round in a few would see them.
        for (int round = 0; round < 20; round++) {
            var fdsBefore = Proc.libraryKindFds();
            try (ProcessScope scope = ProcessScope.open()) {
                // the sleep stays in its group (the leader is not reaped before the group is empty), not on its pipes
                ManagedProcess p = scope.start("sh", "-c", "sleep 100 < /dev/null > /dev/null 2>&1 &");
                assertThat(p.waitFor(TIMEOUT)).contains(ExitStatus.exited(0));
            }
            assertThat(Proc.openedSince(fdsBefore, Proc.libraryKindFds()))
                    .as("round %d: its descriptors when close() has returned", round).isEmpty();
        }
    }

    /**
     * A teardown leaves the closing of its dead processes' descriptors (their stdin, stdout and stderr pipes, their
     * pidfds) to the reactor once it is over, so that the closes do not delay the exit notices it waits for: they
     * must still all be closed then, and stdin must refuse writes as soon as close() has returned.
     */
    @Test
    void the_descriptors_of_processes_a_teardown_ended_are_all_closed_soon_after_it() throws Exception {
        var fdsBefore = Proc.libraryKindFds();
        List<ManagedProcess> live = new ArrayList<>();
        try (ProcessScope scope = ProcessScope.builder().gracePeriod(Duration.ofSeconds(5)).open()) {
            for (int i = 0; i < 50; i++) {
                live.add(scope.start("sleep", "100"));
            }
            assertThat(Proc.libraryKindFds().size()).as("a stdin, a stdout and a stderr pipe each (and a pidfd)")
                    .isGreaterThanOrEqualTo(fdsBefore.size() + 50 * 3);
        }
        for (ManagedProcess p : live) {
            assertThat(p.isAlive()).isFalse();
            assertThatThrownBy(() -> {
                p.stdin().write('x');
                p.stdin().flush();
            }).as("a write to the stdin of %s", p).isInstanceOf(java.io.IOException.class);
        }
        // by what each descriptor names, not by its number: an earlier test's descriptors may close meanwhile
        boolean released = Proc.eventually(TIMEOUT, () -> Proc.openedSince(fdsBefore, Proc.libraryKindFds()).isEmpty());
        var left = Proc.openedSince(fdsBefore, Proc.libraryKindFds());
        assertThat(released).as("descriptors of 50 processes ended by a teardown, still open: %s", left).isTrue();
    }

    @LinuxOnly("one library thread for all children (epoll); the JDK needs a thread per child and per output stream")
    @Test
    void threads_do_not_grow_with_two_hundred_live_children() throws Exception {
        int threadsBefore = Proc.threads();
        List<ManagedProcess> live = new ArrayList<>();
        try (ProcessScope scope = ProcessScope.builder().gracePeriod(Duration.ofSeconds(5)).open()) {
            for (int i = 0; i < 200; i++) {
                live.add(scope.start("sh", "-c", "echo up; exec sleep 100"));
            }
            for (ManagedProcess p : live) {
                p.stdout().awaitLineContaining("up", TIMEOUT); // every pipe is being drained
            }
            assertThat(live).allMatch(ManagedProcess::isAlive);
            assertThat(Proc.threads()).as("threads with 200 live children").isLessThanOrEqualTo(threadsBefore);
            long libraryThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("managed-processes")).count();
            assertThat(libraryThreads).isEqualTo(1);
        }
        assertThat(live).noneMatch(p -> Proc.alive(p.pid()));
        assertThat(Proc.zombieChildren()).isEmpty();
    }

    @Test
    void the_jdk_keeps_its_own_exit_statuses_while_managed_processes_come_and_go() throws Exception {
        ExecutorService churn = Executors.newSingleThreadExecutor();
        try (ProcessScope scope = ProcessScope.open()) {
            Future<?> managed = churn.submit(() -> {
                for (int i = 0; i < 100; i++) {
                    try {
                        scope.start("sh", "-c", "exit 1").waitFor();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
            List<Process> jdk = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                jdk.add(new ProcessBuilder("sh", "-c", "exit " + (i % 7 + 2)).start());
            }
            for (int i = 0; i < jdk.size(); i++) {
                assertThat(jdk.get(i).waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(jdk.get(i).exitValue()).as("JDK process %d", i).isEqualTo(i % 7 + 2);
            }
            managed.get(60, TimeUnit.SECONDS);
        } finally {
            churn.shutdownNow();
            assertThat(churn.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
