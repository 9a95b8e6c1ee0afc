package dev.managedprocesses.torture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessRecord;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.PidReuse;
import dev.managedprocesses.testing.Proc;
import java.time.Duration;
import java.util.List;
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
        java.util.List<Long> earlier = Proc.zombieChildren(); // other tests' JDK orphans, not ours to judge
        ProcessScope scope = ProcessScope.builder().gracePeriod(Duration.ofMillis(300)).open();
        try (scope) {
            // the leader ignores SIGTERM, so the escapee dies first, as the leader's zombie
            scope.start("sh", "-c", "trap '' TERM; setsid sleep 300 & exec sleep 300");
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.withEnvironment(ProcessScope.SCOPE_VARIABLE + "="
                    + scope.id()).size() == 2)).isTrue();
        }
        assertThat(Proc.zombieChildren()).as("zombie children right after teardown").isSubsetOf(earlier);
    }

    /**
     * Found by the heavy TortureTest run (1 survivor in 1,000 scopes): with pids wrapping around pid_max,
     * an escapee got the pid of a leader of the same scope that had already exited and been reaped. The
     * escapee scan compared bare pids (and group ids), took the escapee for that leader, and left it
     * alive. Here the kernel is made to hand out exactly that pid (root only).
     */
    @LinuxOnly("escapees found by the scope's cookie in their environment")
    @Test
    void an_escapee_holding_the_recycled_pid_of_a_reaped_leader_of_its_scope_is_found_and_ended() throws Exception {
        String why = PidReuse.unavailableReason();
        assumeTrue(why == null, () -> "Skipped: " + why);
        ProcessScope scope = ProcessScope.builder().gracePeriod(Duration.ofMillis(300)).open();
        long escapee = -1;
        long escapeeStart = -1;
        try (scope) {
            // Starts an escapee (its own session and group) for each line it reads, and prints its pid.
            ManagedProcess forker = scope.start("sh", "-c", "while read x; do setsid sleep 300 & echo $!; done");
            ManagedProcess leader = scope.start("true");
            long recycled = leader.pid();
            assertThat(leader.waitFor().code()).isZero();
            assertThat(Proc.eventually(TIMEOUT, () -> !Proc.exists(recycled))).as("leader %d reaped", recycled).isTrue();

            for (int attempt = 1; attempt <= 50 && escapee != recycled; attempt++) {
                PidReuse.nextPidWillBe(recycled);
                forker.stdin().write('\n');
                forker.stdin().flush();
                int lines = attempt;
                assertThat(Proc.eventually(TIMEOUT, () -> forker.stdout().lines().size() == lines)).isTrue();
                escapee = Long.parseLong(forker.stdout().lines().get(lines - 1).trim());
            }
            assumeTrue(escapee == recycled, () -> "Skipped: other forks took pid " + recycled + " 50 times in a row");
            long pid = escapee;
            assertThat(Proc.eventually(TIMEOUT, () -> "sleep".equals(Proc.comm(pid)) && Proc.pgid(pid) == pid))
                    .as("escapee %d has exec'd sleep in a session of its own", pid).isTrue();
            escapeeStart = Proc.startTime(escapee);
        }
        long pid = escapee;
        long start = escapeeStart;
        assertThat(Proc.exists(pid) && Proc.startTime(pid) == start && Proc.alive(pid))
                .as("escapee %d (the reaped leader's pid) survived its scope", pid).isFalse();
        assertThat(scope.records()).anySatisfy(r -> {
            assertThat(r.pid()).isEqualTo(pid);
            assertThat(r.origin()).isEqualTo(ProcessRecord.Origin.ESCAPED);
        });
    }

    /**
     * Found by TortureTest: with the JVM a subreaper, orphans of JDK-started trees re-parent to it
     * and the JDK never reaps them. Stale orphan zombies are now reaped at scope close.
     */
    @LinuxOnly("the child subreaper and its orphan reaper")
    @Test
    void orphan_zombies_of_jdk_started_trees_are_reaped() throws Exception {
        try (ProcessScope first = ProcessScope.open()) {
            first.start("true").waitFor(); // the JVM is a subreaper from here on
        }
        java.util.List<Long> earlier = Proc.zombieChildren();
        Process jdk = new ProcessBuilder("sh", "-c", "(sleep 0.1 &) ; exit 0").start();
        jdk.waitFor();
        assertThat(Proc.eventually(TIMEOUT, () -> !earlier.containsAll(Proc.zombieChildren())))
                .as("the orphan became the JVM's zombie").isTrue();
        java.util.List<Long> orphans = new java.util.ArrayList<>(Proc.zombieChildren());
        orphans.removeAll(earlier);
        ProcessScope.open().close(); // notes it
        Thread.sleep(2100);           // longer than the reaper's patience for the JDK's own reapers
        ProcessScope.open().close(); // reaps it
        assertThat(Proc.zombieChildren()).doesNotContainAnyElementsOf(orphans);
        assertThat(jdk.exitValue()).as("the JDK's own child kept its status").isZero();
    }

    /** Found by the assertions work: kill() used to be terminate(0), i.e. SIGTERM first. */
    @Test
    void kill_sends_sigkill_at_once_not_sigterm_first() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess p = scope.start("sleep", "300");
            assertThat(p.kill()).isEqualTo(dev.managedprocesses.ExitStatus.killedBy(dev.managedprocesses.Signal.KILL, false));
            assertThat(p.endedBy()).contains(dev.managedprocesses.EndedBy.SIGKILL);
        }
    }

    /**
     * Found by the assertions work: a leader that moves itself into another group (here: the JVM's)
     * was out of reach of kill(-pgid); teardown now also signals the leader through its pidfd, and
     * isProcessGroupLeader() asks the kernel.
     */
    @LinuxOnly("process groups")
    @Test
    void a_leader_that_moves_itself_into_another_group_is_still_ended() throws Exception {
        long jvmGroup = Proc.pgid(ProcessHandle.current().pid());
        ProcessScope scope = ProcessScope.builder().gracePeriod(Duration.ofMillis(200)).open();
        ManagedProcess p;
        try (scope) {
            p = scope.start("python3", "-c", "import os, sys, time; os.setpgid(0, int(sys.argv[1])); "
                    + "print('moved', flush=True); time.sleep(300)", Long.toString(jvmGroup));
            p.stdout().awaitLineContaining("moved", TIMEOUT);
            assertThat(Proc.pgid(p.pid())).isEqualTo(jvmGroup);
            assertThat(p.isProcessGroupLeader()).isFalse();
        }
        assertThat(Proc.alive(p.pid())).isFalse();
    }

    /**
     * Found by the benchmarks: a finished process kept its stdin pipe until its scope closed, so a
     * class-wide scope running thousands of commands would run out of descriptors.
     */
    @Test
    void a_finished_process_releases_its_stdin_descriptor_before_the_scope_closes() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            scope.start("true").waitFor(); // warm up: the reactor's own descriptors exist from here on
            var before = Proc.libraryKindFds();
            for (int i = 0; i < 100; i++) {
                scope.start("true").waitFor();
            }
            boolean released = Proc.eventually(TIMEOUT, () -> Proc.libraryKindFds().size() <= before.size());
            var after = new java.util.TreeMap<Integer, String>(Proc.libraryKindFds());
            after.keySet().removeAll(before.keySet());
            after.replaceAll((fd, what) -> what + " " + Proc.fdInfo(fd)); // a pidfd's says which pid
            // It also caught a pidfd left open: a child that exited at once could be finished by the reactor
            // before the spawning thread had stored the pidfd's registration.
            assertThat(released).as("pipes and pidfds of 100 finished processes released while the scope is open; "
                    + "left: %s", after).isTrue();
        }
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

    /**
     * Found by review: teardown looked for new escapees a fixed number of times and, when the last look
     * still found some, ended them without another look, so a marked process started during the last
     * round was neither ended nor reported. Here every marked process, on SIGTERM, has a spawner outside
     * the scope start its successor and exits only once the successor runs (FIFO handshakes): each round
     * finds a new one, and what the last look finds must be reported, not forgotten.
     */
    @LinuxOnly("escapees found by the scope's cookie in their environment")
    @Test
    void marked_processes_that_keep_being_replaced_are_reported_as_survivors_not_forgotten() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("replaced");
        ProcessScope scope = ProcessScope.builder().gracePeriod(Duration.ofSeconds(5)).open();
        String marker = ProcessScope.SCOPE_VARIABLE + "=" + scope.id();
        Process spawner = null;
        try {
            // On SIGTERM: ask the spawner for a successor, wait until it runs (it renames a "ready" file into
            // place once its own trap is set), then exit.
            java.nio.file.Files.writeString(dir.resolve("child.sh"), String.join("\n",
                    "trap 'kill -USR1 \"$2\"; until [ -e \"$1/ready\" ]; do sleep 0.005; done; rm \"$1/ready\"; exit 0' TERM",
                    "echo $$ > \"$1/r.$$\"; mv \"$1/r.$$\" \"$1/ready\"",
                    "while :; do sleep 1 & wait $!; done", ""));
            // Outside the scope and unmarked: starts a marked child.sh on each SIGUSR1.
            spawner = new ProcessBuilder("sh", "-c", "trap 'env " + marker + " sh \"$0/child.sh\" \"$0\" $$ &' USR1; "
                    + "sleep 300 & s=$!; trap 'kill $s; exit 0' TERM; echo started; while :; do wait $s; done",
                    dir.toString()).start();
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(spawner.getInputStream())).readLine())
                    .isEqualTo("started");
            scope.start("true").waitFor(TIMEOUT); // escapees are looked for among processes started after this
            new ProcessBuilder("kill", "-USR1", Long.toString(spawner.pid())).start().waitFor();
            java.nio.file.Path ready = dir.resolve("ready");
            assertThat(Proc.eventually(TIMEOUT, () -> java.nio.file.Files.exists(ready))).isTrue();
            java.nio.file.Files.delete(ready);

            if (dev.managedprocesses.testing.Containment.cgroups()) {
                // Membership decides: processes a spawner outside the scope started, cookie or not, are no members.
                List<Long> outside = Proc.withEnvironment(marker);
                scope.close();
                assertThat(outside).isNotEmpty().allSatisfy(pid -> assertThat(Proc.alive(pid)).as("pid %d", pid).isTrue());
                assertThat(scope.records()).noneMatch(r -> r.origin() == ProcessRecord.Origin.ESCAPED);
                return;
            }
            dev.managedprocesses.SurvivorsException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.managedprocesses.SurvivorsException.class, scope::close);
            assertThat(e.survivors()).anySatisfy(i -> assertThat(i.commandLine()).startsWith("sh " + dir));
            assertThat(e.getMessage()).contains("kept escaping its group, a new one for every round of teardown")
                    .contains("sh " + dir + "/child.sh");
            assertThat(scope.records().stream().filter(r -> r.origin() == ProcessRecord.Origin.ESCAPED
                    && String.join(" ", r.command()).startsWith("sh " + dir)).count())
                    .as("replaced processes ended: at least one in the first look and in each of five more rounds")
                    .isGreaterThanOrEqualTo(6);
        } finally {
            // SIGKILL cannot be trapped: end every marked process, then wait until none is left
            while (!Proc.withEnvironment(marker).isEmpty()) {
                for (long pid : Proc.withEnvironment(marker)) {
                    new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
                }
                Thread.sleep(10);
            }
            if (spawner != null) {
                spawner.destroy(); // SIGTERM: it ends its sleep, then itself
                assertThat(spawner.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                spawner.getInputStream().close();
                spawner.getErrorStream().close();
                spawner.getOutputStream().close();
            }
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }
}
