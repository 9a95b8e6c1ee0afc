package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.internal.os.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether this JVM may contain its processes in cgroup v2, found out by trying: the unified hierarchy
 * ({@code /proc/self/mountinfo}, filesystem type {@code cgroup2}: {@code /sys/fs/cgroup} on most systems,
 * {@code /sys/fs/cgroup/unified} beside v1 controllers on hybrid ones), the JVM's own cgroup (the
 * {@code 0::} line of {@code /proc/self/cgroup}), and a directory for this JVM made under it
 * ({@link JvmCgroup}). Children are made only there: under the JVM's own cgroup, so limits set on it and
 * above still apply, and so the moves stay inside what the JVM may write (a move needs write access to
 * the common ancestor of the source and destination cgroups).
 *
 * <pre>{@code
 * CgroupV2 cgroups = CgroupV2.detect();
 * if (cgroups.available()) {
 *     JvmCgroup jvm = cgroups.jvmCgroup().orElseThrow();
 *     jvm.removeStale(Duration.ofSeconds(5));
 *     ...
 * } else if (required) {
 *     throw new IllegalStateException("managedprocesses.cgroups=required, but " + cgroups.reason());
 * }
 * }</pre>
 */
public final class CgroupV2 {
    /** What to do when cgroups are unavailable: the three ways this library knows to get them. */
    public static final String REMEDY = "To contain processes in cgroups, run the JVM where it may create cgroups under"
            + " its own cgroup: as root; under systemd delegation (systemd-run --user -p Delegate=yes --scope mvn verify);"
            + " or in a container with a writable cgroup namespace (for example docker run --privileged --cgroupns=private).";

    private final JvmCgroup jvmCgroup;
    private final String reason;

    private CgroupV2(JvmCgroup jvmCgroup, String reason) {
        this.jvmCgroup = jvmCgroup;
        this.reason = reason;
    }

    private static CgroupV2 unavailable(String why) {
        return new CgroupV2(null, "cgroup v2 containment is unavailable: " + why + ". " + REMEDY);
    }

    /** Whether scope cgroups can be created here. */
    public boolean available() {
        return jvmCgroup != null;
    }

    /** This JVM's directory in the hierarchy, when {@link #available()}. */
    public Optional<JvmCgroup> jvmCgroup() {
        return Optional.ofNullable(jvmCgroup);
    }

    /**
     * Why cgroups are unavailable and what to do about it, one paragraph fit for an exception message
     * ({@code managedprocesses.cgroups=required}); when available, the mechanism in use.
     */
    public String reason() {
        return jvmCgroup != null ? jvmCgroup.describe() : reason;
    }

    @Override
    public String toString() {
        return reason();
    }

    /**
     * Finds the hierarchy and the JVM's cgroup and creates (or finds, when called again) this JVM's
     * directory under it. Never throws: every failure is a {@link #reason()}.
     */
    public static CgroupV2 detect() {
        String mountinfo;
        String selfCgroup;
        try {
            mountinfo = Files.readString(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8);
            selfCgroup = Files.readString(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return unavailable("cannot read /proc/self/mountinfo or /proc/self/cgroup (" + e.getMessage() + ")");
        }
        try {
            return detect(mountinfo, selfCgroup);
        } catch (RuntimeException | LinkageError e) {
            return unavailable("detection failed: " + e);
        }
    }

    static CgroupV2 detect(String mountinfo, String selfCgroup) {
        Optional<String> own = CgroupFiles.unifiedPath(selfCgroup);
        if (own.isEmpty()) {
            return unavailable("this JVM is in no cgroup v2 hierarchy (/proc/self/cgroup has no \"0::\" line: a system"
                    + " with cgroup v1 only)");
        }
        String cgroup = own.get();
        if (!cgroup.startsWith("/") || cgroup.equals("/..") || cgroup.startsWith("/../") || cgroup.endsWith(" (deleted)")) {
            return unavailable("this JVM's cgroup \"" + cgroup + "\" is outside its cgroup namespace or removed");
        }
        List<Mount> mounts = cgroup2Mounts(mountinfo);
        if (mounts.isEmpty()) {
            return unavailable("no cgroup2 filesystem is mounted in this JVM's mount namespace (no cgroup2 line in"
                    + " /proc/self/mountinfo)");
        }
        Path dir = null;
        for (Mount m : mounts) {
            Optional<Path> d = m.directoryOf(cgroup);
            if (d.isPresent() && Files.isRegularFile(d.get().resolve("cgroup.procs"))) {
                dir = d.get();
                break;
            }
        }
        if (dir == null) {
            return unavailable("this JVM's cgroup " + cgroup + " is not visible under the cgroup2 mount"
                    + (mounts.size() > 1 ? "s " : " ") + CgroupFiles.list(mounts));
        }
        long self = ProcessHandle.current().pid();
        long start = ProcFs.stat(self).map(ProcStat::startTime).orElse(0L);
        Path directory = dir.resolve(JvmCgroup.nameFor(self, start, pidNamespace()));
        int e = CgroupFiles.mkdir(directory);
        if (e != 0 && e != Errno.EEXIST) {
            return unavailable("cannot create " + directory + ": " + Errno.name(e) + " (" + CgroupFiles.strerror(e) + ")"
                    + switch (e) {
                        case Errno.EACCES, Errno.EPERM -> "; this user may not create cgroups under the JVM's own cgroup "
                                + cgroup;
                        case Errno.EROFS -> "; the cgroup2 filesystem is mounted read-only here";
                        case Errno.EAGAIN -> "; cgroup.max.descendants or cgroup.max.depth above forbids more cgroups";
                        default -> "";
                    });
        }
        String problem = null;
        int w = CgroupFiles.writable(dir.resolve("cgroup.procs"));
        if (w != 0) {
            problem = "cannot write " + dir.resolve("cgroup.procs") + " (" + Errno.name(w) + "), which moving the JVM's"
                    + " children out of its own cgroup needs";
        } else if ((w = CgroupFiles.writable(directory.resolve("cgroup.procs"))) != 0) {
            problem = "cannot write " + directory.resolve("cgroup.procs") + " (" + Errno.name(w) + ")";
        } else {
            String type = readTrimmed(directory.resolve("cgroup.type"));
            if (!"domain".equals(type)) {
                problem = directory + " is a \"" + type + "\" cgroup, not a domain one (the JVM's cgroup is threaded?),"
                        + " so processes cannot be moved into it";
            } else if (!Files.exists(directory.resolve("cgroup.kill")) && !Files.exists(directory.resolve("cgroup.freeze"))) {
                problem = "this kernel has neither cgroup.kill (5.14+) nor cgroup.freeze (5.2+)";
            }
        }
        if (problem != null) {
            CgroupFiles.rmdir(directory);
            return unavailable(problem);
        }
        return new CgroupV2(new JvmCgroup(dir, cgroup, directory, Files.exists(directory.resolve("cgroup.kill")),
                pidNamespace()), null);
    }

    private static String readTrimmed(Path file) {
        try {
            return CgroupFiles.read(file).trim();
        } catch (CgroupException e) {
            return "unreadable (" + e.errnoName() + ")";
        }
    }

    /** The inode of this JVM's pid namespace ({@code /proc/self/ns/pid} reads {@code pid:[4026531836]}), or 0. */
    static long pidNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * A cgroup2 mount: {@code root} is the cgroup its mount point shows (usually "/"; a bind mount of a
     * subtree shows that subtree), {@code mountPoint} where it is.
     *
     * @param root the cgroup at the mount point, as /proc/PID/cgroup would name it
     * @param mountPoint the directory it is mounted on
     * @param readOnly mounted read-only (the mount or the superblock)
     */
    record Mount(String root, Path mountPoint, boolean readOnly) {
        /** The directory of {@code cgroup} under this mount, if the mount shows it. */
        Optional<Path> directoryOf(String cgroup) {
            String below;
            if (root.equals("/")) {
                below = cgroup;
            } else if (cgroup.equals(root) || cgroup.startsWith(root + "/")) {
                below = cgroup.substring(root.length());
            } else {
                return Optional.empty();
            }
            String relative = below.startsWith("/") ? below.substring(1) : below;
            return Optional.of(relative.isEmpty() ? mountPoint : mountPoint.resolve(relative));
        }

        @Override
        public String toString() {
            return mountPoint + (root.equals("/") ? "" : " (showing " + root + ")") + (readOnly ? " (read-only)" : "");
        }
    }

    /**
     * The cgroup2 mounts of a {@code /proc/self/mountinfo} text, writable ones first. A line is
     * {@code id parent major:minor root mountpoint options [optional fields] - fstype source superoptions};
     * paths escape space, tab, newline and backslash as octal ({@code \040}).
     */
    static List<Mount> cgroup2Mounts(String mountinfo) {
        List<Mount> writable = new ArrayList<>();
        List<Mount> readOnly = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (dash < 0 || dash + 1 >= f.length || !f[dash + 1].equals("cgroup2")) {
                continue;
            }
            boolean ro = hasOption(f[5], "ro") || (dash + 3 < f.length && hasOption(f[dash + 3], "ro"));
            Mount m = new Mount(unescape(f[3]), Path.of(unescape(f[4])), ro);
            (ro ? readOnly : writable).add(m);
        }
        writable.addAll(readOnly);
        return writable;
    }

    private static boolean hasOption(String options, String option) {
        for (String o : options.split(",")) {
            if (o.equals(option)) {
                return true;
            }
        }
        return false;
    }

    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
