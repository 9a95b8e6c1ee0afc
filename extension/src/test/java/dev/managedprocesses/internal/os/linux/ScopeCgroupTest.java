package dev.managedprocesses.internal.os.linux;

import static dev.managedprocesses.internal.os.linux.CgroupFixture.TIMEOUT;
import static dev.managedprocesses.internal.os.linux.CgroupFixture.pidIn;
import static dev.managedprocesses.internal.os.linux.CgroupFixture.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scope's cgroup on this machine, with real processes: moves, kills, waits, freezes, and what it refuses. */
class ScopeCgroupTest {
    /** The library's one protected-pid check, as the engine hands it to the cgroup layer. */
    private static final java.util.function.LongFunction<String> PROTECTED =
            pid -> dev.managedprocesses.internal.safety.ProtectedProcesses.reason(
                    dev.managedprocesses.internal.os.Os.current().table(), pid);

    @Test
    void a_spawned_child_is_moved_in_listed_killed_and_the_kernel_says_when_it_is_gone() throws Exception {
        try (CgroupFixture f = CgroupFixture.open(); Stranger stranger = Stranger.start()) {
            ScopeCgroup cg = f.scope();
            assertThat(cg.populated()).isFalse();
            Process child = f.start("sleep", "300");

            assertThat(cg.addSpawnedChild(child.pid())).isTrue();

            assertThat(Files.readString(Path.of("/proc/" + child.pid() + "/cgroup"))).contains("0::" + cg.cgroupPath() + "\n");
            assertThat(cg.contains(child.pid())).isTrue();
            assertThat(cg.members()).containsExactly(child.pid());
            assertThat(cg.populated()).isTrue();
            assertThat(cg.contains(stranger.pid())).isFalse();

            assertThat(cg.kill()).isEqualTo(Files.exists(cg.path().resolve("cgroup.kill"))
                    ? KillMethod.CGROUP_KILL : KillMethod.FREEZE_AND_SIGKILL);
            assertThat(cg.awaitEmpty(TIMEOUT)).isTrue();

            assertThat(cg.populated()).isFalse();
            assertThat(cg.members()).isEmpty();
            assertThat(child.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("128 + SIGKILL").isEqualTo(137);
            assertThat(stranger.untouched()).as("a process outside the cgroup").isTrue();
            cg.remove();
            assertThat(cg.path()).doesNotExist();
        }
    }

    /** A zombie keeps naming its cgroup in /proc, but cgroup.procs (what {@code listsLive} reads) no longer lists it. */
    @Test
    void a_zombie_still_names_the_cgroup_but_the_kernel_lists_only_the_live_members(@TempDir Path dir) throws Exception {
        long zombie = -1;
        long self = ProcessHandle.current().pid();
        try (CgroupFixture f = CgroupFixture.open(); Stranger stranger = Stranger.start()) {
            ScopeCgroup cg = f.scope();
            Path go = dir.resolve("go");
            // Once moved in, it forks a child, then becomes a sleep that never reaps it. The child exits only once
            // its parent is that sleep: a shell that saw it exit first could reap it (seen on a CI machine).
            Process parent = f.start("sh", "-c", "while [ ! -e " + go + " ]; do sleep 0.01; done; p=$$;"
                    + " ( while ! grep -qx sleep /proc/$p/comm; do sleep 0.01; done ) & exec sleep 300");
            assertThat(cg.addSpawnedChild(parent.pid())).isTrue();
            Files.createFile(go);
            long[] found = {-1};
            // Only once it is the sleep: the shell's own children before that (each sleep 0.01 of its loop) are
            // zombies for a moment too, and the first of them was forked before the move.
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.comm(parent.pid()).equals("sleep")
                    && (found[0] = zombieChildOf(parent.pid())) > 0)).as("a zombie child of the sleep").isTrue();
            zombie = found[0];
            long z = zombie;

            assertThat(Files.readString(Path.of("/proc/" + z + "/cgroup"))).contains("0::" + cg.cgroupPath() + "\n");
            assertThat(cg.contains(z)).as("the zombie names the cgroup").isTrue();
            assertThat(cg.listsLive(z)).as("but it is not a live member").isFalse();
            assertThat(cg.listsLive(parent.pid())).as("the sleep is").isTrue();
            assertThat(cg.listsLive(stranger.pid())).as("a process outside").isFalse();
            assertThat(cg.listsLive(self)).as("this JVM").isFalse();
        } finally {
            // Its parent killed, the zombie goes to init or, where this JVM is a subreaper, to this JVM: reap it here.
            long z = zombie;
            if (z > 0 && Proc.eventually(TIMEOUT, () -> !Proc.exists(z) || Proc.ppid(z) == self) && Proc.exists(z)) {
                dev.managedprocesses.internal.os.Os.current().control().reap(z);
            }
        }
    }

    /** A zombie child of {@code pid}, or -1. */
    private static long zombieChildOf(long pid) {
        for (long p : Proc.pids()) {
            if (Proc.ppid(p) == pid && Proc.state(p) == 'Z') {
                return p;
            }
        }
        return -1;
    }

    /**
     * Everything the issue lists as escaping a process group and an environment cookie: a setsid child, an
     * env-wiped double-forked grandchild re-parented away, and a classic daemon (fork, setsid, fork) that
     * retitles itself with Perl's {@code $0 =}, which overwrites its environment block (the cookie goes
     * with it, no {@code env -i} needed), and has a worker.
     */
    @Test
    void setsid_double_forked_env_wiped_and_retitled_descendants_all_end_with_kill(@TempDir Path dir) throws Exception {
        try (CgroupFixture f = CgroupFixture.open(); Stranger stranger = Stranger.start()) {
            ScopeCgroup cg = f.scope();
            String d = dir.toString();
            ProcessBuilderCookie cookie = new ProcessBuilderCookie();
            Process root = cookie.gated(f, ""
                    + "setsid sh -c 'echo $$ > " + d + "/setsid; exec sleep 300' &\n"
                    + "( env -i /bin/sh -c 'echo $$ > " + d + "/double; exec sleep 300' & )\n"
                    + "/usr/bin/perl -e 'use POSIX; exit 0 if fork; POSIX::setsid(); exit 0 if fork;"
                    + " $0 = \"retitled-daemon\"; if (!fork) { $0 = \"retitled-worker\"; open(my $w, \">\", \"" + d + "/worker\");"
                    + " print $w $$; close $w; sleep 300; exit 0 } open(my $m, \">\", \"" + d + "/daemon\"); print $m $$;"
                    + " close $m; sleep 300'\n"
                    + "exec sleep 300");
            assertThat(cg.addSpawnedChild(root.pid())).isTrue();
            release(root);
            long setsid = pidIn(dir.resolve("setsid"));
            long doubleForked = pidIn(dir.resolve("double"));
            long daemon = pidIn(dir.resolve("daemon"));
            long worker = pidIn(dir.resolve("worker"));
            List<Long> escapees = List.of(setsid, doubleForked, daemon, worker);
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.cmdline(daemon).trim().equals("retitled-daemon")
                    && Proc.cmdline(worker).trim().equals("retitled-worker"))).as("retitled").isTrue();

            // what makes them escapees elsewhere: their own session, no cookie, not below the root any more
            assertThat(Proc.stat(setsid).orElseThrow()[3]).isEqualTo(Long.toString(setsid));
            assertThat(Proc.ppid(doubleForked)).isNotEqualTo(root.pid());
            assertThat(Proc.ppid(daemon)).isNotEqualTo(root.pid());
            for (long pid : List.of(doubleForked, daemon, worker)) {
                assertThat(cookie.carriedBy(pid)).as("cookie in the environment of %d", pid).isFalse();
            }
            for (long pid : escapees) {
                assertThat(cg.contains(pid)).as("pid %d in the cgroup", pid).isTrue();
            }
            assertThat(cookie.carriedBy(root.pid())).as("the root still has it").isTrue();
            assertThat(cg.members()).containsAll(escapees).contains(root.pid());

            cg.kill();
            assertThat(cg.awaitEmpty(TIMEOUT)).isTrue();

            for (long pid : escapees) {
                assertThat(Proc.alive(pid)).as("pid %d after the kill", pid).isFalse();
            }
            assertThat(root.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(stranger.untouched()).isTrue();
        }
    }

    @Test
    void freeze_and_thaw_are_seen_in_the_state_of_proc_stat() throws Exception {
        try (CgroupFixture f = CgroupFixture.open(); Stranger stranger = Stranger.start()) {
            ScopeCgroup cg = f.scope();
            // A busy loop is always runnable ('R'), so 'S' can only mean the freezer holds it.
            Process busy = f.start("nice", "-n", "19", "sh", "-c", "while :; do :; done");
            Process sleeper = f.start("sleep", "300");
            assertThat(cg.addSpawnedChild(busy.pid())).isTrue();
            assertThat(cg.addSpawnedChild(sleeper.pid())).isTrue();
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.state(busy.pid()) == 'R')).isTrue();
            assertThat(cg.frozen()).isFalse();

            assertThat(cg.freeze(TIMEOUT)).isTrue();

            assertThat(cg.frozen()).isTrue();
            assertThat(Proc.state(busy.pid())).as("frozen busy loop").isEqualTo('S');
            assertThat(Proc.state(sleeper.pid())).isEqualTo('S');
            assertThat(busy.isAlive()).isTrue();
            assertThat(stranger.untouched()).isTrue();

            assertThat(cg.thaw(TIMEOUT)).isTrue();

            assertThat(cg.frozen()).isFalse();
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.state(busy.pid()) == 'R')).as("running again").isTrue();
            assertThat(Files.readString(cg.path().resolve("cgroup.freeze")).trim()).isEqualTo("0");
        }
    }

    @Test
    void the_fallback_kill_freezes_signals_every_member_and_thaws(@TempDir Path dir) throws Exception {
        try (CgroupFixture f = CgroupFixture.open(); Stranger stranger = Stranger.start()) {
            ScopeCgroup cg = f.scope();
            String d = dir.toString();
            Process root = f.gated(""
                    + "setsid sh -c 'echo $$ > " + d + "/setsid; exec sleep 300' &\n"
                    + "( env -i /bin/sh -c 'echo $$ > " + d + "/double; exec sleep 300' & )\n"
                    + "exec sleep 300");
            assertThat(cg.addSpawnedChild(root.pid())).isTrue();
            release(root);
            long setsid = pidIn(dir.resolve("setsid"));
            long doubleForked = pidIn(dir.resolve("double"));

            assertThat(cg.killByFreezing()).isEqualTo(KillMethod.FREEZE_AND_SIGKILL);
            assertThat(cg.awaitEmpty(TIMEOUT)).isTrue();

            assertThat(Proc.alive(setsid)).isFalse();
            assertThat(Proc.alive(doubleForked)).isFalse();
            assertThat(root.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(root.exitValue()).isEqualTo(137);
            assertThat(Files.readString(cg.path().resolve("cgroup.freeze")).trim()).as("thawed after").isEqualTo("0");
            assertThat(stranger.untouched()).isTrue();
        }
    }

    /**
     * Adoption of a tree that keeps forking while it is moved: a root that starts 60 sleepers one after
     * another, and a setsid'd child. Once the root is in, what it forks is born inside; what it forked
     * before must be found (ppid links) and moved. The documented limit is shown too: a grandchild
     * orphaned before the adoption (its parent exited) has no ppid link to the root and stays outside.
     */
    @Test
    void adopting_a_process_moves_its_descendants_even_while_it_forks(@TempDir Path dir) throws Exception {
        long orphan = -1;
        long orphanStart = -1;
        try (CgroupFixture f = CgroupFixture.open(); Stranger stranger = Stranger.start()) {
            ScopeCgroup cg = f.scope();
            String d = dir.toString();
            Process root = f.start("sh", "-c", ""
                    + "setsid sh -c '( sh -c \"echo \\$\\$ > " + d + "/orphan; exec sleep 300\" & ); exec sleep 300' &\n"
                    + "i=0; while [ $i -lt 60 ]; do sleep 300 & i=$((i+1)); [ $i -eq 10 ] && echo started > " + d + "/forking;"
                    + " sleep 0.02; done\n"
                    + "echo done > " + d + "/done; exec sleep 300");
            orphan = pidIn(dir.resolve("orphan"));
            orphanStart = Proc.startTime(orphan);
            assertThat(Proc.eventually(TIMEOUT, () -> Files.exists(dir.resolve("forking")))).isTrue();

            ScopeCgroup.Adoption adoption = cg.addWithDescendants(root.pid(), Proc.startTime(root.pid()), PROTECTED);

            assertThat(adoption.stable()).isTrue();
            assertThat(adoption.members()).startsWith(root.pid());
            assertThat(adoption.evicted()).isEmpty();
            assertThat(Proc.eventually(TIMEOUT, () -> Files.exists(dir.resolve("done")))).isTrue();
            Set<Long> tree = descendants(root.pid());
            assertThat(tree).hasSizeGreaterThanOrEqualTo(62); // 60 sleepers, the setsid child, the root
            for (long pid : tree) {
                assertThat(cg.contains(pid)).as("descendant %d (%s) in the cgroup", pid, Proc.cmdline(pid)).isTrue();
            }
            assertThat(tree).doesNotContain(orphan);
            assertThat(cg.contains(orphan)).as("orphaned before the adoption: outside (the documented limit)").isFalse();
            assertThat(cg.contains(stranger.pid())).isFalse();

            cg.kill();
            assertThat(cg.awaitEmpty(TIMEOUT)).isTrue();
            for (long pid : tree) {
                assertThat(Proc.alive(pid)).isFalse();
            }
            assertThat(stranger.untouched()).isTrue();
        } finally {
            CgroupFixture.killOrphan(orphan, orphanStart);
        }
    }

    @Test
    void the_jvm_its_threads_its_ancestors_and_init_are_refused() throws Exception {
        try (CgroupFixture f = CgroupFixture.open()) {
            ScopeCgroup cg = f.scope();
            long self = ProcessHandle.current().pid();
            long thread = otherThreadOfThisJvm(self);
            long parent = Proc.ppid(self);
            long start = Proc.startTime(self);

            assertThatThrownBy(() -> cg.add(self, start, PROTECTED)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("this JVM");
            assertThatThrownBy(() -> cg.add(thread, start, PROTECTED)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a thread of this JVM");
            assertThatThrownBy(() -> cg.add(parent, Proc.startTime(parent), PROTECTED)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("this JVM's parent");
            assertThatThrownBy(() -> cg.addWithDescendants(parent, Proc.startTime(parent), PROTECTED))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("this JVM's parent");
            long ancestor = Proc.plainAncestor();
            if (ancestor > 1) {
                assertThatThrownBy(() -> cg.add(ancestor, Proc.startTime(ancestor), PROTECTED))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("an ancestor of this JVM");
            }
            assertThatThrownBy(() -> cg.add(1, 0, PROTECTED)).isInstanceOf(IllegalArgumentException.class);
            assertThat(cg.members()).isEmpty();
            assertThat(Files.readString(Path.of("/proc/self/cgroup"))).contains("0::" + f.jvm.jvmCgroupPath() + "\n");
        }
    }

    /** Killing a cgroup this JVM is in is refused before anything is written (here, the JVM's own cgroup). */
    @Test
    void a_cgroup_holding_this_jvm_is_never_killed() throws Exception {
        try (CgroupFixture f = CgroupFixture.open()) {
            // Only where the JVM's cgroup is the hierarchy's root, which has no cgroup.kill: were the guard
            // ever broken, the write would then fail instead of killing the JVM.
            assumeTrue(!Files.exists(f.jvm.jvmCgroupDirectory().resolve("cgroup.kill")),
                    "this JVM's cgroup is not the root of the hierarchy, so this test could kill it");
            assertThatThrownBy(() -> CgroupFiles.kill(f.jvm.jvmCgroupDirectory(), f.jvm.jvmCgroupPath(), true))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("this JVM");
        }
    }

    @Test
    void refusals_of_the_kernel_carry_their_errno() throws Exception {
        try (CgroupFixture f = CgroupFixture.open()) {
            ScopeCgroup cg = f.scope();
            // (Files.readString returns one byte of this sysctl file: read it the way the library does)
            long noSuchPid = Long.parseLong(ProcFs.text("/proc/sys/kernel/pid_max").orElseThrow().trim()) + 1;

            assertThat(cg.addSpawnedChild(noSuchPid)).as("ESRCH is an answer, not an error").isFalse();
            assertThatThrownBy(() -> cg.addSpawnedChild(2)) // kthreadd
                    .isInstanceOfSatisfying(CgroupException.class, e -> {
                        assertThat(e.errnoName()).isEqualTo("EINVAL");
                        assertThat(e.path()).isEqualTo(cg.path().resolve("cgroup.procs"));
                        assertThat(e).hasMessageContaining("kernel thread");
                    });

            Process child = f.start("sleep", "300");
            assertThat(cg.addSpawnedChild(child.pid())).isTrue();
            assertThatThrownBy(cg::remove).isInstanceOfSatisfying(CgroupException.class, e -> {
                assertThat(e.errnoName()).isEqualTo("EBUSY");
                assertThat(e).hasMessageContaining("kill it and await empty first");
            });
            assertThatThrownBy(() -> f.jvm.createScope(cg.name())).isInstanceOfSatisfying(CgroupException.class,
                    e -> assertThat(e.errnoName()).isEqualTo("EEXIST"));
            assertThatThrownBy(() -> f.jvm.createScope("cgroup.procs")).isInstanceOf(IllegalArgumentException.class);
            assertThat(child.isAlive()).isTrue();
        }
    }

    @Test
    void adding_by_identity_refuses_a_pid_that_names_another_process_now() throws Exception {
        try (CgroupFixture f = CgroupFixture.open()) {
            ScopeCgroup cg = f.scope();
            Process child = f.start("sleep", "300");
            long start = Proc.startTime(child.pid());

            assertThat(cg.add(child.pid(), start + 1, PROTECTED)).as("wrong start time: another process").isFalse();
            assertThat(cg.contains(child.pid())).isFalse();
            assertThat(cg.add(child.pid(), start, PROTECTED)).isTrue();
            assertThat(cg.contains(child.pid())).isTrue();
        }
    }

    private static long otherThreadOfThisJvm(long self) throws Exception {
        try (var s = Files.list(Path.of("/proc/self/task"))) {
            return s.map(p -> Long.parseLong(p.getFileName().toString())).filter(t -> t != self).findFirst().orElseThrow();
        }
    }

    /** The live descendants of {@code root} (and root), by ppid links in /proc. */
    static Set<Long> descendants(long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        for (ProcStat s : ProcFs.snapshot()) {
            if (!s.isGone()) {
                children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s.pid());
            }
        }
        Set<Long> out = new HashSet<>();
        List<Long> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            long p = todo.remove(todo.size() - 1);
            if (out.add(p)) {
                todo.addAll(children.getOrDefault(p, List.of()));
            }
        }
        return out;
    }

    /** An environment variable set on the root only, to show which descendants lost their environment. */
    private static final class ProcessBuilderCookie {
        private final String entry = "CGROUP_TEST_COOKIE=" + System.nanoTime();

        Process gated(CgroupFixture f, String script) throws java.io.IOException {
            return f.startWith(entry, "sh", "-c", "read gate; " + script);
        }

        boolean carriedBy(long pid) {
            return ProcFs.environmentContains(pid, entry);
        }
    }
}
