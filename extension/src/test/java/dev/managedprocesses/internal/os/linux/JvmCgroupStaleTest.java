package dev.managedprocesses.internal.os.linux;

import static dev.managedprocesses.internal.os.linux.CgroupFixture.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.testing.ChildJvm;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories left by JVMs that died: found beside this JVM's, killed, awaited empty and removed, while
 * the directory of a JVM that still runs, or of one in another pid namespace, is never touched.
 */
class JvmCgroupStaleTest {

    @Test
    void the_directory_of_a_sigkilled_child_jvm_is_killed_and_removed(@TempDir Path tmp) throws Exception {
        try (CgroupFixture f = CgroupFixture.open(); Stranger stranger = Stranger.start()) {
            Path report = tmp.resolve("child");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    CgroupOwnerChild.class.getName(), report.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
            Path childDirectory;
            long sleeper;
            long sleeperStart;
            try {
                assertThat(Proc.eventually(TIMEOUT, () -> Files.exists(report))).as("child JVM ready").isTrue();
                List<String> lines = Files.readAllLines(report);
                childDirectory = Path.of(lines.get(0));
                sleeper = Long.parseLong(lines.get(1));
                sleeperStart = Proc.startTime(sleeper);
            } finally {
                child.destroyForcibly(); // SIGKILL: the child JVM leaves its directory and its sleeper behind
                assertThat(child.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            }
            try {
                assertThat(childDirectory.getParent()).isEqualTo(f.jvm.jvmCgroupDirectory());
                assertThat(childDirectory.getFileName().toString()).startsWith("managed-processes-" + child.pid() + "-");
                assertThat(childDirectory.resolve("held")).isDirectory();
                assertThat(Proc.alive(sleeper)).as("the dead JVM's sleeper lives on").isTrue();

                JvmCgroup.StaleCleanup cleanup = f.jvm.removeStale(TIMEOUT);

                assertThat(cleanup.problems()).isEmpty();
                assertThat(cleanup.removed()).contains(childDirectory);
                assertThat(childDirectory).doesNotExist();
                assertThat(Proc.alive(sleeper)).as("killed with its directory").isFalse();
                assertThat(f.jvm.directory()).as("this JVM's own").isDirectory();
                assertThat(stranger.untouched()).isTrue();
            } finally {
                CgroupFixture.killOrphan(sleeper, sleeperStart);
            }
        }
    }

    /**
     * A JVM that only looked at the mechanism (as the leak detector's report header does) and started nothing
     * has a directory of its own all the same: its normal exit removes it, not the next JVM's start.
     */
    @Test
    void a_jvm_that_started_nothing_removes_its_directory_at_exit() throws Exception {
        try (CgroupFixture f = CgroupFixture.open(); ChildJvm child = ChildJvm.start("describe")) {
            child.awaitReady();
            assertThat(child.lines()).anyMatch(l -> l.startsWith("mechanism "));
            Path parent = f.jvm.jvmCgroupDirectory();
            String prefix = "managed-processes-" + child.pid() + "-";
            boolean cgroupMode = child.lines().stream().anyMatch(l -> l.startsWith("mechanism cgroup v2"));
            assertThat(directoriesStartingWith(parent, prefix)).as("while it runs (cgroup mode: %s)", cgroupMode)
                    .hasSize(cgroupMode ? 1 : 0);

            child.send("exit");

            assertThat(child.awaitExit(TIMEOUT)).isZero();
            assertThat(directoriesStartingWith(parent, prefix)).as("after its exit").isEmpty();
        }
    }

    @Test
    void a_jvm_whose_exit_closes_its_last_scope_removes_its_directory_at_exit() throws Exception {
        // Mode "exit": one scope closed, one left open (a sleep and an escapee in a session of its own) for the
        // exit hook to close; the cgroups its teardown empties are removed before the JVM is gone.
        try (CgroupFixture f = CgroupFixture.open(); ChildJvm child = ChildJvm.start("exit")) {
            Path parent = f.jvm.jvmCgroupDirectory();
            String prefix = "managed-processes-" + child.pid() + "-";

            assertThat(child.awaitExit(TIMEOUT)).isZero();
            assertThat(directoriesStartingWith(parent, prefix)).as("after its exit").isEmpty();
        }
    }

    private static List<Path> directoriesStartingWith(Path parent, String prefix) throws IOException {
        try (Stream<Path> all = Files.list(parent)) {
            return all.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p)).toList();
        }
    }

    /**
     * Hand-made directories, each with a sleeper in a scope cgroup below it: an owner pid that does not
     * exist and a live pid with another start time (a reused pid) are dead owners; a live owner (pid and
     * start time of a running process) and an owner in another pid namespace are left alone.
     */
    @Test
    void only_dead_owners_in_this_pid_namespace_are_cleaned_up_children_first() throws Exception {
        try (CgroupFixture f = CgroupFixture.open(); Stranger owner = Stranger.start()) {
            long ns = CgroupV2.pidNamespace();
            long noSuchPid = Long.parseLong(ProcFs.text("/proc/sys/kernel/pid_max").orElseThrow().trim()) + 1;
            long ownerStart = Proc.startTime(owner.pid());
            Path gone = owned(f, JvmCgroup.nameFor(noSuchPid, 12345, ns));
            Path reused = owned(f, JvmCgroup.nameFor(owner.pid(), ownerStart + 1, ns));
            Path live = owned(f, JvmCgroup.nameFor(owner.pid(), ownerStart, ns));
            Path otherNamespace = owned(f, JvmCgroup.nameFor(noSuchPid, 12345, ns + 1));
            Process inGone = member(f, gone);
            Process inReused = member(f, reused);
            Process inLive = member(f, live);
            Process inOtherNamespace = member(f, otherNamespace);

            JvmCgroup.StaleCleanup cleanup = f.jvm.removeStale(TIMEOUT);

            assertThat(cleanup.problems()).isEmpty();
            assertThat(cleanup.removed()).contains(gone, reused).doesNotContain(live, otherNamespace, f.jvm.directory());
            assertThat(gone).doesNotExist();
            assertThat(reused).doesNotExist();
            for (Process killed : List.of(inGone, inReused)) {
                assertThat(killed.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(killed.exitValue()).isEqualTo(137);
            }
            assertThat(live.resolve("scope")).isDirectory();
            assertThat(otherNamespace.resolve("scope")).isDirectory();
            assertThat(inLive.isAlive()).isTrue();
            assertThat(inOtherNamespace.isAlive()).isTrue();
            assertThat(owner.untouched()).isTrue();
        }
    }

    private static Path owned(CgroupFixture f, String name) throws Exception {
        Path dir = f.directory(f.jvm.jvmCgroupDirectory().resolve(name));
        Files.createDirectory(dir.resolve("scope"));
        return dir;
    }

    private static Process member(CgroupFixture f, Path owned) throws Exception {
        Process p = f.start("sleep", "300");
        assertThat(CgroupFiles.write(owned.resolve("scope").resolve("cgroup.procs"), Long.toString(p.pid()))).isZero();
        return p;
    }
}
