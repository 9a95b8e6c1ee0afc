package dev.managedprocesses.internal.os.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.testing.Proc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Finding the cgroup v2 hierarchy, the JVM's cgroup, and whether this JVM may create cgroups there. */
class CgroupV2Test {

    @Test
    void finds_the_unified_hierarchy_and_this_jvms_cgroup_and_makes_its_directory_there() throws Exception {
        try (CgroupFixture f = CgroupFixture.open()) {
            JvmCgroup jvm = f.jvm;
            // the facts, read here independently of the code under test
            String mountPoint = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] after = line.substring(line.indexOf(" - ") + 3).split(" ");
                if (after[0].equals("cgroup2")) {
                    mountPoint = line.split(" ")[4];
                    break;
                }
            }
            String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
                    .filter(l -> l.startsWith("0::")).findFirst().orElseThrow().substring(3);
            long self = ProcessHandle.current().pid();
            String pidNamespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replaceAll("\\D", "");

            assertThat(jvm.jvmCgroupPath()).isEqualTo(own);
            assertThat(jvm.jvmCgroupDirectory()).isEqualTo(Path.of(mountPoint + own).normalize());
            assertThat(jvm.directory().getParent()).isEqualTo(jvm.jvmCgroupDirectory());
            assertThat(jvm.directory().getFileName()).hasToString(
                    "managed-processes-" + self + "-" + Proc.startTime(self) + "-" + pidNamespace);
            assertThat(jvm.directory().resolve("cgroup.procs")).isRegularFile();
            assertThat(jvm.cgroupPath()).isEqualTo(JvmCgroup.join(own, jvm.directory().getFileName().toString()));
            assertThat(jvm.killMethod()).isEqualTo(Files.exists(jvm.directory().resolve("cgroup.kill"))
                    ? KillMethod.CGROUP_KILL : KillMethod.FREEZE_AND_SIGKILL);
            if (kernelAtLeast(5, 14)) {
                assertThat(jvm.killMethod()).isEqualTo(KillMethod.CGROUP_KILL);
            }
            assertThat(jvm.describe()).contains(jvm.directory().toString(), jvm.killMethod().description());

            CgroupV2 again = CgroupV2.detect();
            assertThat(again.available()).as("a second detection finds its directory").isTrue();
            assertThat(again.jvmCgroup().orElseThrow().directory()).isEqualTo(jvm.directory());
        }
    }

    /**
     * A read-only cgroup2 mount, as in a container that does not delegate its cgroup: a child JVM in a
     * mount namespace of its own where the mount is remounted read-only (the machine's mount is untouched)
     * is told EROFS, and what to do.
     */
    @Test
    void a_read_only_hierarchy_is_unavailable_with_erofs_and_says_what_to_do() throws Exception {
        assumeTrue(Proc.isRoot(), "remounting in a new mount namespace needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare(1) from util-linux");
        List<CgroupV2.Mount> mounts = CgroupV2.cgroup2Mounts(Files.readString(Path.of("/proc/self/mountinfo")));
        assumeTrue(!mounts.isEmpty(), "no cgroup2 mount here");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String mount = mounts.get(0).mountPoint().toString();
        Process child = new ProcessBuilder("/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -o remount,bind,ro \"$0\" && exec \"$1\" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -cp \"$2\" "
                        + CgroupV2Probe.class.getName(), mount, java, System.getProperty("java.class.path"))
                .redirectErrorStream(true).start();
        String out;
        try {
            out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }

        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).contains("available false")
                .contains("EROFS")
                .contains("mounted read-only")
                .contains("as root", "systemd-run --user -p Delegate=yes --scope mvn verify", "writable cgroup namespace");
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).as("the machine's mount is still writable")
                .containsPattern(" " + mount.replace("/", "\\/") + " rw[, ]");
    }

    @Test
    void mountinfo_lines_give_every_cgroup2_mount_writable_ones_first_with_escapes_undone() {
        String mountinfo = ""
                + "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
                + "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
                + "50 31 0:38 / /sys/fs/cgroup/ro\\040copy ro,relatime shared:9 - cgroup2 cgroup2 rw\n"
                + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:8 master:1 - cgroup2 cgroup2 rw,nsdelegate\n"
                + "77 70 0:38 /docker/abc /mnt/cg rw - cgroup2 none rw\n";

        List<CgroupV2.Mount> mounts = CgroupV2.cgroup2Mounts(mountinfo);

        assertThat(mounts).containsExactly(
                new CgroupV2.Mount("/", Path.of("/sys/fs/cgroup/unified"), false),
                new CgroupV2.Mount("/docker/abc", Path.of("/mnt/cg"), false),
                new CgroupV2.Mount("/", Path.of("/sys/fs/cgroup/ro copy"), true));
        assertThat(mounts.get(0).directoryOf("/")).contains(Path.of("/sys/fs/cgroup/unified"));
        assertThat(mounts.get(0).directoryOf("/user.slice/a.scope")).contains(Path.of("/sys/fs/cgroup/unified/user.slice/a.scope"));
        assertThat(mounts.get(1).directoryOf("/docker/abc/x")).contains(Path.of("/mnt/cg/x"));
        assertThat(mounts.get(1).directoryOf("/docker/abc")).contains(Path.of("/mnt/cg"));
        assertThat(mounts.get(1).directoryOf("/docker/abcd")).isEmpty();
        assertThat(mounts.get(1).directoryOf("/elsewhere")).isEmpty();
    }

    @Test
    void each_reason_says_what_is_missing_and_what_to_do() {
        String hybrid = "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
        String noCgroup2 = "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n";

        assertThat(CgroupV2.detect(hybrid, "1:cpu:/\n").reason()).contains("cgroup v1 only");
        assertThat(CgroupV2.detect(noCgroup2, "0::/\n").reason()).contains("no cgroup2 filesystem is mounted");
        assertThat(CgroupV2.detect(hybrid, "0::/../../elsewhere\n").reason()).contains("outside its cgroup namespace");
        CgroupV2 invisible = CgroupV2.detect("77 70 0:38 /docker/abc /mnt/cg rw - cgroup2 none rw\n", "0::/other\n");
        assertThat(invisible.available()).isFalse();
        assertThat(invisible.reason()).contains("/other is not visible under the cgroup2 mount /mnt/cg (showing /docker/abc)");
        for (CgroupV2 v2 : List.of(invisible, CgroupV2.detect(noCgroup2, "0::/\n"))) {
            assertThat(v2.jvmCgroup()).isEmpty();
            assertThat(v2.reason()).startsWith("cgroup v2 containment is unavailable: ").endsWith(CgroupV2.REMEDY);
        }
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = Integer.parseInt(v[1]);
        return ma > major || (ma == major && mi >= minor);
    }
}
