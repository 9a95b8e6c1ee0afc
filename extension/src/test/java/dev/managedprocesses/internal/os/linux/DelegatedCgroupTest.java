package dev.managedprocesses.internal.os.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.testing.Proc;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM run by an ordinary user inside a delegated cgroup v2 subtree, made here the way systemd makes one for
 * {@code Delegate=yes}: a cgroup whose directory and {@code cgroup.procs}, {@code cgroup.subtree_control} and
 * {@code cgroup.threads} belong to that user, entered by the user's process before it drops root (as systemd
 * starts a unit's process in its cgroup). The child JVM ({@link DelegatedScopeChild}) runs as a uid no account
 * and no process has, with no capabilities but those a test hands it. Needs root (for the cgroup, the chown
 * and setpriv), setpriv(1) and perl; skips, saying which is missing, otherwise.
 */
class DelegatedCgroupTest {
    private static final String LINE = "managed-processes: containment: ";

    @TempDir
    Path tmp;

    private int uid;
    private Path mount;
    private String ownCgroup;
    private String classpath;
    private Path work;
    private final List<Path> delegated = new ArrayList<>();

    @BeforeEach
    void prepare() throws Exception {
        assumeTrue(Proc.isRoot(), "needs root: it creates and chowns a cgroup and starts a JVM as another user");
        assumeTrue(onPath("setpriv") != null, "needs setpriv(1) (util-linux) to run a JVM as another user");
        assumeTrue(onPath("perl") != null, "needs perl for a daemon that sets its process title");
        ownCgroup = CgroupFiles.unifiedPath(Files.readString(Path.of("/proc/self/cgroup"))).orElse(null);
        assumeTrue(ownCgroup != null, "this JVM is in no cgroup v2 hierarchy");
        for (CgroupV2.Mount m : CgroupV2.cgroup2Mounts(Files.readString(Path.of("/proc/self/mountinfo")))) {
            Optional<Path> d = m.directoryOf(ownCgroup);
            if (!m.readOnly() && d.isPresent() && Files.isWritable(d.get())) {
                mount = d.get();
                break;
            }
        }
        assumeTrue(mount != null, "no writable cgroup2 mount shows this JVM's cgroup " + ownCgroup);
        uid = freeUid();

        // Everything the child reads must be readable by that uid: ~/.m2 of root is not.
        for (Path p = tmp.getParent(); p != null; p = p.getParent()) {
            assumeTrue(Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE),
                    "the temporary directory's ancestor " + p + " is not searchable by other users (java.io.tmpdir)");
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cp = Files.createDirectory(tmp.resolve("cp"));
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            String name = source.getFileName().toString();
            if (Files.isDirectory(source) || name.startsWith("jffi-")) {
                Path copy = cp.resolve(entries.size() + "-" + name);
                copyTree(source, copy);
                entries.add(copy.toString());
            }
        }
        classpath = String.join(File.pathSeparator, entries);
        work = Files.createDirectory(tmp.resolve("work"));
        chown(work);
    }

    @AfterEach
    void removeDelegatedCgroups() throws Exception {
        for (Path dir : delegated) {
            if (Files.isDirectory(dir)) {
                CgroupFiles.kill(dir, relative(dir), Files.exists(dir.resolve("cgroup.kill")));
                assertThat(CgroupFiles.awaitEvent(dir, "populated", '0', TimeUnit.SECONDS.toNanos(20)))
                        .as("%s empty after its kill", dir).isTrue();
                CgroupFiles.removeTree(dir);
            }
        }
    }

    @Test
    void an_ordinary_user_in_a_delegated_subtree_gets_cgroup_mode_and_its_scopes_contain_escaping_daemons()
            throws Exception {
        Path dir = delegate();
        String out = run(dir, false, "required", "daemons", true);

        assertThat(out).contains(LINE + "cgroup v2: each scope in its own cgroup under " + dir + "/managed-processes-");
        assertContained(out, dir);
        assertThat(out).as("the kernel shows another process's timer slack only with CAP_SYS_NICE")
                .contains("timerslack-readable false");
        String caveat = "caveat: a child is moved into its cgroup only after posix_spawn returns";
        if (CgroupFiles.libc().hasSpawnattrSetcgroup()) {
            assertThat(out).doesNotContain(caveat);
        } else {
            assertThat(containmentLine(out)).contains(caveat, "what it forks before that can escape its scope",
                    "CAP_SYS_NICE, which this JVM lacks", "setpriv --inh-caps +sys_nice --ambient-caps +sys_nice");
        }
    }

    @Test
    void with_cap_sys_nice_the_birth_mark_is_readable_and_the_line_names_no_gap() throws Exception {
        Path dir = delegate();
        String out = run(dir, true, "auto", "daemons", true);

        assertThat(out).contains(LINE + "cgroup v2: each scope in its own cgroup under " + dir + "/managed-processes-");
        assertContained(out, dir);
        assertThat(out).contains("timerslack-readable true");
        assertThat(containmentLine(out)).doesNotContain("caveat");
    }

    @Test
    void outside_a_delegated_subtree_required_fails_saying_why_and_what_to_do() throws Exception {
        String out = run(null, false, "required", "start", false);

        assertThat(out).contains("Cannot contain processes in cgroups, and managedprocesses.cgroups=required:"
                        + " cgroup v2 containment is unavailable: cannot create " + mount + "/managed-processes-")
                .contains(": EACCES (Permission denied); this user may not create cgroups under the JVM's own cgroup "
                        + ownCgroup + ". " + CgroupV2.REMEDY)
                .doesNotContain(LINE);
    }

    @Test
    void outside_a_delegated_subtree_auto_falls_back_and_says_why_and_which_gap_is_left() throws Exception {
        String out = run(null, false, "auto", "start", true);

        assertThat(containmentLine(out)).startsWith(LINE + "process groups, the scope's cookie and marker")
                .contains("; caveat: a child is marked only after posix_spawn returns, and what it forks before that"
                        + " can escape its scope, because the birth mark")
                .contains("; no cgroups: cgroup v2 containment is unavailable: cannot create ", "EACCES");
        assertThat(out).contains("true Optional[exited 0]");
    }

    /** Both daemons were in a scope cgroup under the delegated one, and the scope's close ended them. */
    private void assertContained(String out, Path dir) {
        List<String> daemons = out.lines().filter(l -> l.startsWith("daemon ")).toList();
        assertThat(daemons).as(out).hasSize(2).allSatisfy(l -> assertThat(l.split(" ")[2])
                .startsWith(relative(dir) + "/managed-processes-").contains("/s-"));
        assertThat(out.lines().filter(l -> l.startsWith("gone "))).as(out).hasSize(2);
        assertThat(out).doesNotContain("survivor").contains("done");
    }

    private static String containmentLine(String out) {
        return out.lines().filter(l -> l.startsWith(LINE)).findFirst().orElseThrow(
                () -> new AssertionError("no containment line in:\n" + out));
    }

    /** A cgroup below this JVM's, delegated to {@link #uid} as systemd delegates one. */
    private Path delegate() throws IOException {
        Path dir = mount.resolve("mp-delegated-" + ProcessHandle.current().pid() + "-" + delegated.size());
        Files.createDirectory(dir);
        delegated.add(dir);
        for (Path p : List.of(dir, dir.resolve("cgroup.procs"), dir.resolve("cgroup.subtree_control"),
                dir.resolve("cgroup.threads"))) {
            chown(p);
        }
        return dir;
    }

    /**
     * Runs {@link DelegatedScopeChild} as {@link #uid}: inside {@code cgroup} (entered as root, right before
     * setpriv drops it) or, when null, in this JVM's own cgroup; {@code succeeds}: whether it must exit 0.
     * Returns its stdout and stderr.
     */
    private String run(Path cgroup, boolean sysNice, String mode, String what, boolean succeeds) throws Exception {
        List<String> command = new ArrayList<>();
        if (cgroup != null) {
            command.addAll(List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString()));
        }
        command.addAll(List.of(onPath("setpriv"), "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        if (sysNice) {
            command.addAll(List.of("--inh-caps", "+sys_nice", "--ambient-caps", "+sys_nice"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-Djava.io.tmpdir=" + work, "-Dmanagedprocesses.cgroups=" + mode,
                "-cp", classpath, DelegatedScopeChild.class.getName(), work.toString(), what));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("MANAGED_PROCESSES_SCOPE");
        builder.environment().put("HOME", work.toString());
        Process child = builder.start();
        try {
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
            assertThat(child.exitValue() == 0).as("exit %d, expected success %s:%n%s", child.exitValue(), succeeds, out)
                    .isEqualTo(succeeds);
            return out;
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    private String relative(Path dir) {
        return JvmCgroup.join(ownCgroup, dir.getFileName().toString());
    }

    private void chown(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", uid);
        Files.setAttribute(p, "unix:gid", uid);
    }

    /** A uid from 61000 up that no account in /etc/passwd and no running process has. */
    private static int freeUid() throws IOException {
        List<String> passwd = Files.readAllLines(Path.of("/etc/passwd"));
        for (int candidate = 61000; candidate < 62000; candidate++) {
            String id = Integer.toString(candidate);
            boolean taken = passwd.stream().anyMatch(l -> l.split(":").length > 2 && l.split(":")[2].equals(id));
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                taken |= procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                        .anyMatch(p -> id.equals(Proc.status(Long.parseLong(p.getFileName().toString()), "Uid")
                                .split("\\s+")[0]));
            }
            if (!taken) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free uid between 61000 and 61999");
    }

    private static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> all = Files.walk(source)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                    Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }
}
