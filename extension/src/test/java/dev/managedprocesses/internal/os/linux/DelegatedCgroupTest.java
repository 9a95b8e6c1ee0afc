package dev.managedprocesses.internal.os.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.testing.Proc;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * A JVM given a cgroup subtree of its own, the two ways other than root on the host that the README names.
 * <ul>
 * <li>An ordinary user in a delegated cgroup v2 subtree, made here the way systemd makes one for
 * {@code Delegate=yes}: a cgroup whose directory and {@code cgroup.procs}, {@code cgroup.subtree_control} and
 * {@code cgroup.threads} belong to that user, entered by the user's process before it drops root (as systemd
 * starts a unit's process in its cgroup). The child JVM ({@link DelegatedScopeChild}) runs as a uid no account
 * and no process has, with no capabilities but those a test hands it.
 * <li>Root in a container with a writable cgroup namespace, made here of the kernel's parts the way a container
 * runtime makes one ({@code docker run --privileged --cgroupns=private}): a cgroup of its own, entered before
 * {@code unshare(1)} makes new cgroup, mount and pid namespaces, where cgroup2 is mounted read-write at
 * {@code /sys/fs/cgroup}. Inside, {@code /proc/self/cgroup} reads {@code 0::/} and the JVM's pids are the
 * namespace's.
 * </ul>
 * Needs root (for the cgroup, the chown, setpriv and the namespaces), setpriv(1) and perl, and unshare(1) for
 * the container; skips, saying which is missing, otherwise.
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
        assertContained(out, relative(dir) + "/managed-processes-");
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
        assertContained(out, relative(dir) + "/managed-processes-");
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

    @Test
    void root_in_a_container_with_a_cgroup_namespace_of_its_own_gets_cgroup_mode_and_its_scopes_end_escaping_daemons()
            throws Exception {
        Path dir = container();
        String out = output(inContainer(dir, true, false, "required", "daemons"), true);

        // managed-processes-1-...: the JVM was the container's init, as with docker run IMAGE java ...
        assertThat(out).contains(LINE + "cgroup v2: each scope in its own cgroup under "
                + "/sys/fs/cgroup/managed-processes-1-");
        assertContained(out, "/managed-processes-1-");
        assertThat(out).contains("timerslack-readable true");
        assertThat(containmentLine(out)).doesNotContain("caveat");
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith("managed-processes-")))
                    .as("the JVM's cgroups, removed at its exit").isEmpty();
        }
    }

    @Test
    void in_a_container_whose_cgroups_are_mounted_read_only_the_jvm_falls_back_says_why_and_still_ends_the_daemons()
            throws Exception {
        Path dir = container();
        String out = output(inContainer(dir, true, true, "auto", "daemons-no-cgroups"), true);

        assertThat(containmentLine(out)).startsWith(LINE + "process groups, the scope's cookie and marker")
                .contains("; no cgroups: cgroup v2 containment is unavailable: cannot create "
                        + "/sys/fs/cgroup/managed-processes-1-")
                .contains("EROFS", "the cgroup2 filesystem is mounted read-only here", CgroupV2.REMEDY)
                .doesNotContain("caveat");
        assertThat(daemonCgroups(out)).as("no scope cgroups: both daemons stayed in the container's").containsOnly("/");
        assertEnded(out);
        assertThat(out).contains("timerslack-readable true");
    }

    @Test
    void in_a_container_a_killed_jvm_s_janitor_ends_its_open_scope_s_daemons() throws Exception {
        Path dir = container();
        Process container = start(inContainer(dir, false, false, "required", "hold"));
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(container.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder out = new StringBuilder();
            for (String line = reader.readLine(); line != null && !line.equals("ready"); line = reader.readLine()) {
                out.append(line).append('\n');
            }
            String text = out.toString();
            assertThat(daemonCgroups(text))
                    .allSatisfy(c -> assertThat(c).startsWith("/managed-processes-").contains("/s-"));
            Path jvmCgroup;
            try (Stream<Path> dirs = Files.list(dir)) {
                jvmCgroup = dirs.filter(p -> p.getFileName().toString().startsWith("managed-processes-")).findFirst()
                        .orElseThrow(() -> new AssertionError("no JVM cgroup under " + dir + " after:\n" + text));
            }
            assertThat(CgroupFiles.read(jvmCgroup.resolve("cgroup.events"))).as("the daemons are in it")
                    .contains("populated 1");
            ProcessHandle jvm = container.toHandle().descendants()
                    .filter(h -> h.info().command().filter(c -> c.endsWith("/java")).isPresent()).findFirst()
                    .orElseThrow(() -> new AssertionError("no java below " + container.pid()));
            jvm.destroyForcibly();

            assertThat(CgroupFiles.awaitEvent(jvmCgroup, "populated", '0', TimeUnit.SECONDS.toNanos(20)))
                    .as("every process of the killed JVM's scope has ended: %s",
                            CgroupFiles.read(jvmCgroup.resolve("cgroup.events")))
                    .isTrue();
            container.getOutputStream().close();
            assertThat(container.waitFor(60, TimeUnit.SECONDS)).as("the container ends once its shell's stdin does")
                    .isTrue();
        } finally {
            container.destroyForcibly();
            container.waitFor();
        }
    }

    /** Both daemons were in a scope cgroup under the JVM's (named from {@code prefix} on), and the close ended them. */
    private static void assertContained(String out, String prefix) {
        assertThat(daemonCgroups(out)).allSatisfy(c -> assertThat(c).startsWith(prefix).contains("/s-"));
        assertEnded(out);
    }

    /** The cgroups of the two daemons the child reported ({@code daemon <pid> <cgroup>}), checked to be two. */
    private static List<String> daemonCgroups(String out) {
        List<String> cgroups = out.lines().filter(l -> l.startsWith("daemon ")).map(l -> l.split(" ")[2]).toList();
        assertThat(cgroups).as("the daemons the child reported in:%n%s", out).hasSize(2);
        return cgroups;
    }

    /** The child's close ended both daemons ({@code gone}, no {@code survivor}) and it finished. */
    private static void assertEnded(String out) {
        assertThat(out.lines().filter(l -> l.startsWith("gone "))).as(out).hasSize(2);
        assertThat(out).doesNotContain("survivor").contains("done");
    }

    private static String containmentLine(String out) {
        return out.lines().filter(l -> l.startsWith(LINE)).findFirst().orElseThrow(
                () -> new AssertionError("no containment line in:\n" + out));
    }

    /** A cgroup below this JVM's, delegated to {@link #uid} as systemd delegates one. */
    private Path delegate() throws IOException {
        Path dir = newCgroup("mp-delegated-");
        for (Path p : List.of(dir, dir.resolve("cgroup.procs"), dir.resolve("cgroup.subtree_control"),
                dir.resolve("cgroup.threads"))) {
            chown(p);
        }
        return dir;
    }

    /** A cgroup below this JVM's for a container (root's, as a container runtime's cgroup is). */
    private Path container() throws IOException {
        assumeTrue(onPath("unshare") != null, "needs unshare(1) (util-linux) for the container's namespaces");
        return newCgroup("mp-container-");
    }

    /** A new cgroup below this JVM's, killed and removed after the test ({@link #removeDelegatedCgroups}). */
    private Path newCgroup(String prefix) throws IOException {
        Path dir = mount.resolve(prefix + ProcessHandle.current().pid() + "-" + delegated.size());
        Files.createDirectory(dir);
        delegated.add(dir);
        return dir;
    }

    /**
     * Runs {@link DelegatedScopeChild} as {@link #uid}: inside {@code cgroup} (entered as root, right before
     * setpriv drops it) or, when null, in this JVM's own cgroup; {@code succeeds}: whether it must exit 0.
     * Returns its stdout and stderr.
     */
    private String run(Path cgroup, boolean sysNice, String mode, String what, boolean succeeds) throws Exception {
        List<String> command = enter(cgroup);
        command.addAll(List.of(onPath("setpriv"), "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        if (sysNice) {
            command.addAll(List.of("--inh-caps", "+sys_nice", "--ambient-caps", "+sys_nice"));
        }
        command.addAll(childJvm(mode, what));
        return output(command, succeeds);
    }

    /**
     * The command that runs {@link DelegatedScopeChild} as root in a container whose cgroup is {@code cgroup}:
     * new cgroup, mount and pid namespaces, cgroup2 mounted at {@code /sys/fs/cgroup} (read-only, as Docker mounts
     * it without {@code --privileged}, when {@code readOnly}; else read-write), and the JVM
     * the namespace's init ({@code jvmIsInit}) or a child of a shell that, once the JVM has ended, keeps the
     * namespace (and whatever the JVM left in it) alive until its stdin ends.
     */
    private List<String> inContainer(Path cgroup, boolean jvmIsInit, boolean readOnly, String mode, String what) {
        List<String> command = enter(cgroup);
        // --kill-child: should the test kill unshare, the namespace's init (and with it the namespace) dies too.
        command.addAll(List.of(onPath("unshare"), "--cgroup", "--mount", "--pid", "--kill-child", "--mount-proc",
                "--propagation", "private", "sh", "-c", "mount -t cgroup2 " + (readOnly ? "-o ro " : "")
                        + "cgroup2 /sys/fs/cgroup && "
                        + (jvmIsInit ? "exec \"$@\"" : "\"$@\"; r=$?; read -r _; exit $r"), "container"));
        command.addAll(childJvm(mode, what));
        return command;
    }

    /** The start of a command that enters {@code cgroup} (when not null) and then execs the rest. */
    private static List<String> enter(Path cgroup) {
        List<String> command = new ArrayList<>();
        if (cgroup != null) {
            command.addAll(List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", cgroup.toString()));
        }
        return command;
    }

    private List<String> childJvm(String mode, String what) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-Djava.io.tmpdir=" + work, "-Dmanagedprocesses.cgroups=" + mode,
                "-cp", classpath, DelegatedScopeChild.class.getName(), work.toString(), what);
    }

    /** Runs {@code command}; {@code succeeds}: whether it must exit 0. Returns its stdout and stderr. */
    private String output(List<String> command, boolean succeeds) throws Exception {
        Process child = start(command);
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

    /** Starts {@code command}, its stderr in its stdout, with no scope's cookie and {@link #work} as HOME. */
    private Process start(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("MANAGED_PROCESSES_SCOPE");
        builder.environment().put("HOME", work.toString());
        return builder.start();
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
