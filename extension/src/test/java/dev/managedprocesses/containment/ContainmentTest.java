package dev.managedprocesses.containment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.EndedBy;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessRecord;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.Signal;
import dev.managedprocesses.SurvivorsException;
import dev.managedprocesses.internal.core.ContainmentMode;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What adversarial processes do to escape a scope's teardown, each on real processes: environments
 * wiped, process titles set, sessions and groups left, orphans re-parented, environments past 1 MiB,
 * replacements on every SIGTERM, a stranger carrying a copied cookie. The same tests run with cgroups
 * (the default execution, on a machine that allows them) and without ({@code managedprocesses.cgroups=off},
 * and once more with the subreaper off): see the Surefire executions in {@code extension/pom.xml}. After
 * each test nothing the scope started may run, and the stranger started before it must be untouched.
 */
@LinuxOnly("a scope holds everything its processes fork: a cgroup, or process groups, the marker and lineage")
class ContainmentTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration GRACE = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private Stranger stranger;
    private final List<ProcessIdentity> theirs = new ArrayList<>();

    @BeforeEach
    void start() {
        stranger = Stranger.start();
    }

    @AfterEach
    void nothingOfTheScopeRunsAndTheStrangerIsUntouched() {
        try (Stranger s = stranger) {
            for (ProcessIdentity p : theirs) {
                assertThat(Proc.isRunning(p)).as("%s (%s) still runs after the scope closed", p, Proc.cmdline(p.pid()))
                        .isFalse();
            }
            assertThat(s.untouched()).as("a process outside every scope is never signalled").isTrue();
        }
        assertThat(Proc.eventually(TIMEOUT, () -> Proc.zombieChildren().isEmpty()))
                .as("zombie children of the JVM left: %s", Proc.zombieChildren().stream()
                        .map(pid -> pid + " (" + Proc.comm(pid) + ")").toList())
                .isTrue();
    }

    /** cgroup mode: the mode allows cgroups and this machine lets the JVM create them. */
    static boolean cgroups() {
        return ContainmentMode.current() != ContainmentMode.OFF && Os.current().containment().available();
    }

    private ProcessScope scope() {
        return ProcessScope.builder().name("containment").gracePeriod(GRACE).open();
    }

    /** Waits until {@code file} holds {@code count} pids, and remembers their identities for the final check. */
    private List<ProcessIdentity> pids(Path file, int count) throws Exception {
        assertThat(Proc.eventually(TIMEOUT, () -> lines(file).size() >= count)).as("%d pids in %s", count, file).isTrue();
        List<ProcessIdentity> out = new ArrayList<>();
        for (String line : lines(file)) {
            long pid = Long.parseLong(line.trim());
            ProcessIdentity id = ProcessIdentity.of(pid).orElseThrow(() -> new AssertionError("pid " + pid + " is not running"));
            out.add(id);
            theirs.add(id);
        }
        return out;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String sh(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    void a_setsid_child_with_a_wiped_environment_is_ended_while_its_parent_runs() throws Exception {
        Path pids = dir.resolve("pids");
        try (ProcessScope scope = scope()) {
            scope.start("sh", "-c", "env -i setsid /bin/sh -c " + sh("echo $$ >> " + pids + "; exec /bin/sleep 300")
                    + " & exec sleep 300");
            pids(pids, 1);
        }
    }

    @Test
    void a_double_forked_orphan_with_a_wiped_environment_is_ended() throws Exception {
        Path pids = dir.resolve("pids");
        try (ProcessScope scope = scope()) {
            ManagedProcess sh = scope.start("sh", "-c", "(env -i setsid /bin/sh -c " + sh("echo $$ >> " + pids
                    + "; exec /bin/sleep 300") + " &); exit 0");
            sh.waitFor(TIMEOUT);
            ProcessIdentity orphan = pids(pids, 1).get(0);
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.ppid(orphan.pid()) != sh.pid())).as("orphaned").isTrue();
        }
    }

    @Test
    void a_double_forked_daemon_that_resets_its_resource_limits_and_environment_is_ended() throws Exception {
        Path pids = dir.resolve("pids");
        // RLIMIT_RTTIME back to unlimited drops the scope's marker; only the birth mark (and the cgroup) is left
        String python = "import os, resource, sys\n"
                + "resource.setrlimit(resource.RLIMIT_RTTIME, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
                + "if os.fork(): sys.exit(0)\n"
                + "os.setsid()\n"
                + "if os.fork(): sys.exit(0)\n"
                + "open(sys.argv[1], 'a').write('%d\\n' % os.getpid())\n"
                + "os.execve('/bin/sleep', ['sleep', '300'], {})\n";
        try (ProcessScope scope = scope()) {
            ManagedProcess py = scope.start("python3", "-c", python, pids.toString());
            py.waitFor(TIMEOUT);
            ProcessIdentity daemon = pids(pids, 1).get(0);
            assertThat(Proc.eventually(TIMEOUT, () -> "sleep".equals(Proc.comm(daemon.pid())))).isTrue();
            assertThat(Proc.limit(daemon.pid(), "Max realtime timeout")).as("no marker left").startsWith("unlimited");
            assertThat(Proc.environ(daemon.pid())).isEmpty();
        }
    }

    @Test
    void a_classic_daemon_that_sets_its_process_title_is_ended_with_its_worker() throws Exception {
        Path pids = dir.resolve("pids");
        // fork, setsid, fork, then $0 = '...', which overwrites the whole environment block; plus a worker
        String perl = "use POSIX; exit if fork; POSIX::setsid(); exit if fork; $0 = 'mp-daemon: master';"
                + " open(my $f, '>>', $ARGV[0]); my $w = fork; if (!$w) { $0 = 'mp-daemon: worker'; sleep 300; exit }"
                + " print $f \"$$\\n$w\\n\"; close $f; sleep 300;";
        try (ProcessScope scope = scope()) {
            scope.start("perl", "-e", perl, pids.toString()).waitFor(TIMEOUT);
            for (ProcessIdentity p : pids(pids, 2)) {
                assertThat(Proc.eventually(TIMEOUT, () -> Proc.cmdline(p.pid()).startsWith("mp-daemon"))).isTrue();
                assertThat(Proc.environ(p.pid())).as("the title overwrote the environment")
                        .doesNotContain(ProcessScope.SCOPE_VARIABLE);
            }
        }
    }

    @Test
    void an_escapee_gets_sigterm_while_the_process_it_left_behind_still_takes_its_grace_period() throws Exception {
        Path pids = dir.resolve("pids");
        Path terms = dir.resolve("terms");
        Duration grace = Duration.ofSeconds(4);
        // The escapee (a session of its own, no environment) ends on SIGTERM and says so. Its parent, in the scope's
        // group, ignores SIGTERM, so it takes the whole grace period before SIGKILL ends it: the escapee must not
        // wait for that (in cgroup mode it is looked for only once the kernel says the cgroup is not empty).
        String perl = "$SIG{TERM} = sub { open(my $f, '>>', $ARGV[1]); print $f \"term\\n\"; close $f; exit 0 };"
                + " open(my $p, '>>', $ARGV[0]); print $p \"$$\\n\"; close $p; sleep 300 while 1;";
        ProcessScope scope = ProcessScope.builder().name("containment").gracePeriod(grace).open();
        Closing closing = null;
        try {
            scope.start("sh", "-c", "env -i setsid /usr/bin/perl -e " + sh(perl) + " " + pids + " " + terms
                    + " & trap '' TERM; while :; do sleep 1; done");
            ProcessIdentity escapee = pids(pids, 1).get(0);
            closing = Closing.start(scope);
            assertThat(Proc.eventually(grace.dividedBy(2), () -> lines(terms).contains("term")))
                    .as("the escapee had SIGTERM within %s of close()", grace.dividedBy(2)).isTrue();
            assertThat(closing.done()).as("close() still waits out the grace period of the process that ignores SIGTERM")
                    .isNotDone();
            closing.await();
            assertThat(scope.records()).filteredOn(r -> r.pid() == escapee.pid()).singleElement().satisfies(r -> {
                assertThat(r.origin()).isEqualTo(ProcessRecord.Origin.ESCAPED);
                assertThat(r.endedBy()).contains(EndedBy.SIGTERM);
            });
        } finally {
            if (closing == null) {
                scope.close();
            } else {
                closing.await();
            }
        }
    }

    @Test
    void a_child_that_wipes_its_environment_and_joins_the_jvms_own_group_is_ended() throws Exception {
        Path pids = dir.resolve("pids");
        long jvmGroup = Proc.pgid(ProcessHandle.current().pid());
        String perl = "use POSIX; POSIX::setpgid(0, $ARGV[1]) or die \"setpgid: $!\"; open(my $f, '>>', $ARGV[0]);"
                + " print $f \"$$\\n\"; close $f; sleep 300;";
        try (ProcessScope scope = scope()) {
            scope.start("env", "-i", "/usr/bin/perl", "-e", perl, pids.toString(), Long.toString(jvmGroup));
            ProcessIdentity hopper = pids(pids, 1).get(0);
            assertThat(Proc.pgid(hopper.pid())).as("in the JVM's own group").isEqualTo(jvmGroup);
        }
        assertThat(Proc.alive(ProcessHandle.current().pid())).as("this JVM").isTrue();
    }

    @Test
    void an_escapee_whose_environment_holds_more_than_a_mebibyte_is_ended() throws Exception {
        Path pids = dir.resolve("pids");
        try (ProcessScope scope = scope()) {
            var spec = scope.command("sh", "-c", "setsid /bin/sh -c " + sh("echo $$ >> " + pids + "; exec /bin/sleep 300")
                    + " & exit 0");
            String chunk = "x".repeat(120_000); // one variable may hold at most 128 KiB
            for (int i = 0; i < 10; i++) {
                spec.environment("MP_BIG_" + i, chunk);
            }
            spec.start();
            ProcessIdentity escapee = pids(pids, 1).get(0);
            // read once it runs sleep and its new environment is in place: while it execs, /proc/PID/environ may
            // show a part, or nothing (the name changes before the new program's environment is set up)
            assertThat(Proc.eventually(TIMEOUT, () -> "sleep".equals(Proc.comm(escapee.pid()))
                    && Proc.environ(escapee.pid()).length() > 1_200_000)).as("sleep with its 1.2 MB environment").isTrue();
            // the cookie comes last, past the first MiB: the environment is read whole
            assertThat(Os.current().table().environmentContains(escapee.pid(), ProcessScope.SCOPE_VARIABLE + "="
                    + scope.id())).isTrue();
        }
    }

    @Test
    void a_process_that_hands_over_to_a_new_session_on_every_sigterm_is_ended() throws Exception {
        Path pids = dir.resolve("pids");
        Path script = Files.writeString(dir.resolve("respawn.sh"), "gen=${1:-0}\necho $$ >> " + pids + "\n"
                + "trap '[ $gen -lt 30 ] && setsid /bin/sh " + dir.resolve("respawn.sh") + " $((gen + 1)) & exit 0' TERM\n"
                + "while :; do sleep 300 & wait $!; done\n");
        ProcessScope scope = scope();
        try {
            scope.start("sh", script.toString());
            pids(pids, 1);
        } finally {
            SurvivorsException failure = catchThrowableOfType(SurvivorsException.class, scope::close);
            List<String> generations = lines(pids);
            for (String pid : generations) {
                ProcessIdentity.of(Long.parseLong(pid.trim())).ifPresent(theirs::add);
            }
            if (cgroups()) {
                assertThat(failure).as("cgroup.kill ends every generation at once").isNull();
            } else {
                // Without cgroups each round of teardown ends a generation, which starts the next; after the last
                // round what is left gets SIGKILL, and close() fails, naming it. (A successor that a signal to the
                // group reaches before its setsid ends the chain early: then close() succeeds.) Either way, the
                // check after each test proves no generation runs.
                if (failure != null) {
                    assertThat(failure.getMessage()).contains("kept escaping its group")
                            // the last one may not have exec'd sh yet, or only its sleep may be left: a round's
                            // SIGTERM ended its shell and the sleep, parented elsewhere, is all of that generation
                            .containsAnyOf("respawn.sh", "[setsid]", "sleep 300");
                }
            }
        }
    }

    /**
     * A process that not even SIGKILL ends (frozen by the cgroup v1 freezer: in uninterruptible sleep until it
     * is thawed) is named as the survivor, and only it: the scope's other group ended, is reaped (no zombie)
     * and its record says so. In cgroup mode the scope's cgroup then never says it is empty, the one proof
     * teardown otherwise takes for every group's end: each group proves its own instead.
     */
    @Test
    void a_process_not_even_sigkill_ends_is_the_only_survivor_and_the_group_that_ended_is_reaped() throws Exception {
        Path freezer = Path.of("/sys/fs/cgroup/freezer");
        assumeTrue(Files.isWritable(freezer.resolve("cgroup.procs")),
                "needs a cgroup v1 freezer mounted at " + freezer + " and writable (root): a process it freezes is "
                        + "the one kind on this machine that survives SIGKILL");
        Path frozen = Files.createDirectory(freezer.resolve("managed-processes-test-" + ProcessHandle.current().pid()));
        ManagedProcess stuck = null;
        try {
            ProcessScope scope = ProcessScope.builder().name("survivor").gracePeriod(Duration.ofMillis(200)).open();
            ManagedProcess ending = scope.start("sleep", "300");
            stuck = scope.start("sleep", "300");
            theirs.add(ending.identity());
            theirs.add(stuck.identity());
            Files.writeString(frozen.resolve("cgroup.procs"), Long.toString(stuck.pid()));
            Files.writeString(frozen.resolve("freezer.state"), "FROZEN");
            assertThat(Proc.eventually(TIMEOUT, () -> read(frozen.resolve("freezer.state")).equals("FROZEN")))
                    .as("frozen").isTrue();

            SurvivorsException failure = catchThrowableOfType(SurvivorsException.class, scope::close);

            long stuckPid = stuck.pid();
            assertThat(failure).as("close() names what outlived SIGKILL").isNotNull();
            assertThat(failure.survivors()).extracting(i -> i.pid()).containsExactly(stuckPid);
            assertThat(Proc.zombieChildren()).as("the group that ended is reaped, not left a zombie")
                    .doesNotContain(ending.pid());
            assertThat(scope.records()).filteredOn(r -> r.pid() == ending.pid()).singleElement()
                    .satisfies(r -> assertThat(r.survived()).isFalse());
            assertThat(scope.records()).filteredOn(r -> r.pid() == stuckPid).singleElement()
                    .satisfies(r -> assertThat(r.survived()).isTrue());
        } finally {
            Files.writeString(frozen.resolve("freezer.state"), "THAWED"); // the pending SIGKILL ends it now
            if (stuck != null) {
                ProcessIdentity s = stuck.identity();
                assertThat(Proc.eventually(TIMEOUT, () -> !Proc.isRunning(s) && !Proc.zombieChildren().contains(s.pid())))
                        .as("thawed, killed and reaped").isTrue();
            }
            assertThat(Proc.eventually(TIMEOUT, () -> deleted(frozen))).as("%s removed", frozen).isTrue();
        }
    }

    /**
     * A group whose leader ends on SIGTERM while a member of the group ignores it. In cgroup mode the leader is
     * reaped at its exit (the scope's cgroup was to prove its group's end), the kernel's word that the scope's cgroup
     * is empty does not come (the member lives), and the group's end is its own cgroup's to say once SIGKILL has
     * ended the member after the grace period: close() returns then, not after the wait for survivors of SIGKILL.
     * Without cgroups the leader is held unreaped until the member is gone, as its group id must stay the group's.
     */
    @Test
    void a_group_whose_leader_ends_on_sigterm_and_whose_member_ignores_it_ends_after_the_grace_period()
            throws Exception {
        Path pids = dir.resolve("pids");
        Duration grace = Duration.ofSeconds(2);
        ProcessScope scope = ProcessScope.builder().name("containment").gracePeriod(grace).open();
        Closing closing = null;
        try {
            ManagedProcess other = scope.start("sleep", "300"); // another group, which ends on SIGTERM
            ManagedProcess leader = scope.start("sh", "-c", "sh -c " + sh("trap '' TERM; echo $$ >> " + pids
                    + "; while :; do sleep 1; done") + " & wait");
            theirs.add(other.identity());
            theirs.add(leader.identity());
            ProcessIdentity member = pids(pids, 1).get(0);
            assertThat(Proc.pgid(member.pid())).as("the member is in the leader's group").isEqualTo(leader.pid());
            long start = System.nanoTime();
            closing = Closing.start(scope);
            assertThat(Proc.eventually(grace.dividedBy(2), () -> !Proc.isRunning(leader.identity())))
                    .as("the leader ended on SIGTERM").isTrue();
            if (cgroups()) {
                assertThat(Proc.eventually(grace.dividedBy(2), () -> !Proc.zombieChildren().contains(leader.pid())))
                        .as("the leader is reaped while its group's member still runs").isTrue();
            } else {
                assertThat(Proc.zombieChildren()).as("the leader is held unreaped while its group's member runs")
                        .contains(leader.pid());
            }
            assertThat(Proc.isRunning(member)).as("the member ignores SIGTERM until the grace period is over").isTrue();
            assertThat(closing.done()).isNotDone();

            closing.await();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("close() returns once SIGKILL has ended the member, not after waiting for survivors")
                    .isLessThan(grace.plusSeconds(3));
            assertThat(Proc.isRunning(member)).isFalse();
            assertThat(scope.records()).filteredOn(r -> r.pid() == leader.pid()).singleElement().satisfies(r -> {
                assertThat(r.survived()).isFalse();
                assertThat(r.endedBy()).contains(EndedBy.SIGTERM);
            });
            assertThat(leader.exitStatus()).hasValueSatisfying(s -> assertThat(s.signal()).hasValue(Signal.TERM));
        } finally {
            if (closing == null) {
                scope.close();
            } else {
                closing.await();
            }
        }
    }

    /**
     * A process outside the scope's cgroup (born where the JVM's children are born) carrying the scope's marker:
     * what a child forked in the moment before its move into its cgroup, had the look after the move missed it.
     * The scope's cgroup, holding everything else, says it is empty once its own process has ended; teardown
     * must not take that for the scope's end, and ends the marked process too.
     */
    @Test
    void a_marked_process_outside_the_scopes_cgroup_is_ended_though_the_cgroup_is_empty() throws Exception {
        ProcessScope scope = scope();
        Process outside = null;
        try {
            ManagedProcess inside = scope.start("sleep", "300");
            java.util.OptionalLong marker = Os.current().table().marker(inside.pid());
            assumeTrue(marker.isPresent(), "the scope's marker (RLIMIT_RTTIME) is not readable here");
            outside = new ProcessBuilder("sleep", "300").start();
            theirs.add(ProcessIdentity.of(outside.pid()).orElseThrow());
            assertThat(Os.current().control().mark(outside.pid(), marker.getAsLong())).isZero();
        } finally {
            scope.close();
        }
        try {
            assertThat(outside.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("ended by the teardown").isTrue();
        } finally {
            outside.getOutputStream().close(); // the JDK's pipes to it: no descriptor outlives the test
            outside.getInputStream().close();
            outside.getErrorStream().close();
        }
        long pid = outside.pid();
        assertThat(scope.records()).filteredOn(r -> r.pid() == pid).singleElement().satisfies(r -> {
            assertThat(r.origin()).isEqualTo(ProcessRecord.Origin.ESCAPED);
            assertThat(r.endedBy()).contains(EndedBy.SIGTERM);
        });
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean deleted(Path cgroup) {
        try {
            Files.deleteIfExists(cgroup);
            return true;
        } catch (IOException e) {
            return false; // still populated for a moment
        }
    }

    @Test
    void a_stranger_with_a_copy_of_a_childs_environment_is_touched_only_without_cgroups() throws Exception {
        ProcessScope scope = scope();
        Process imitator = null;
        try {
            scope.start("sleep", "300");
            ProcessBuilder copy = new ProcessBuilder("sleep", "301");
            copy.environment().put(ProcessScope.SCOPE_VARIABLE, scope.id()); // as a test copying the child's environment
            imitator = copy.start();
            ProcessIdentity id = ProcessIdentity.of(imitator.pid()).orElseThrow();
            scope.close();
            if (cgroups()) {
                assertThat(Proc.isRunning(id)).as("never signalled: membership decides, not the cookie").isTrue();
                assertThat(scope.records()).extracting(ProcessRecord::pid).doesNotContain(imitator.pid());
            } else {
                // The documented limit of the fallback (README, "Containment"): the cookie is all it has to go by.
                assertThat(imitator.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            scope.close();
            if (imitator != null) {
                imitator.destroyForcibly().waitFor();
            }
        }
    }

    /** The nginx executable (PATH, then the sbin directories a non-root PATH lacks); skips the test without one. */
    private static String nginx() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "nginx"))) {
                return Path.of(d, "nginx").toString();
            }
        }
        assumeTrue(false, "Skipped: nginx is not installed (Debian/Ubuntu: apt-get install nginx-light; .ci/run does)");
        return null;
    }

    @Test
    void a_stock_nginx_in_daemon_mode_is_ended_with_its_master_and_workers() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path conf = Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "worker_processes 2;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + ";",
                "events { worker_connections 16; }",
                "http { access_log off; server { listen 127.0.0.1:" + port + "; location / { return 200 \"ok\\n\"; } } }",
                ""));
        String nginx = nginx();
        try (ProcessScope scope = scope()) {
            ManagedProcess start = scope.start(nginx, "-p", dir.toString(), "-c", conf.toString(),
                    "-e", dir.resolve("error.log").toString());
            assertThat(start.waitFor(TIMEOUT)).as("nginx daemonizes and its starter exits").isPresent();
            List<ProcessIdentity> master = pids(dir.resolve("nginx.pid"), 1);
            long masterPid = master.get(0).pid();
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.children(masterPid).size() == 2)).as("two workers").isTrue();
            for (long worker : Proc.children(masterPid)) {
                theirs.add(ProcessIdentity.of(worker).orElseThrow());
            }
            assertThat(Proc.cmdline(masterPid)).startsWith("nginx: master process");
            try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).contains("ok");
            }
        }
        assertThat(Proc.listening(port)).as("nothing listens on the port any more").isFalse();
    }

    @Test
    void every_record_names_the_mechanism() throws Exception {
        ProcessScope scope = scope();
        scope.start("sleep", "300");
        scope.close();
        assertThat(scope.records()).isNotEmpty().allSatisfy(r -> assertThat(r.containment())
                .isEqualTo(cgroups() ? "cgroup v2" : "process groups, marker and lineage"));
        assertThat(scope.records().get(0).summary()).endsWith("(" + scope.records().get(0).containment() + ")");
    }

    /** A scope's close() on a thread of its own (a pool's would outlive the test), joined by {@link #await}. */
    private record Closing(Thread thread, CompletableFuture<Void> done) {
        static Closing start(ProcessScope scope) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    scope.close();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }, "containment-test-close");
            thread.start();
            return new Closing(thread, done);
        }

        void await() throws Exception {
            done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            thread.join(TIMEOUT.toMillis());
        }
    }
}
