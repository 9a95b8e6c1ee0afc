package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.internal.os.ProcStat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This JVM's own directory in the cgroup v2 hierarchy, made by {@link CgroupV2#detect()} directly under the
 * JVM's own cgroup (never elsewhere: limits set on the JVM's cgroup and above keep applying to everything
 * below it), with one {@link ScopeCgroup} per scope under it:
 *
 * <pre>
 * &lt;the JVM's cgroup&gt;/
 *     managed-processes-&lt;pid&gt;-&lt;start time&gt;-&lt;pid namespace&gt;/   this JVM's directory
 *         &lt;scope&gt;/                                                one per scope
 * </pre>
 *
 * <p>The name identifies the owner for {@link #removeStale}: its pid, its start time in clock ticks
 * since boot ({@code /proc/PID/stat} field 22: a reused pid has another) and the inode of its pid
 * namespace ({@code /proc/self/ns/pid}: a pid means something only inside its namespace, and JVMs in
 * different pid namespaces can share one cgroup). Hazard: a directory whose owner is alive must never
 * be touched; one whose owner this JVM cannot see (another pid namespace) is left alone too.
 */
public final class JvmCgroup {
    static final String PREFIX = "managed-processes-";
    private static final Pattern OWNED = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-(\\d+)-(\\d+)");
    /** Scope names: no '.', so none can collide with a control file ("cgroup.procs", "memory.max"). */
    private static final Pattern SCOPE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final Path jvmCgroupDirectory;
    private final String jvmCgroupPath;
    private final Path directory;
    private final String cgroupPath;
    private final boolean killFile;
    private final long pidNamespace;

    JvmCgroup(Path jvmCgroupDirectory, String jvmCgroupPath, Path directory, boolean killFile, long pidNamespace) {
        this.jvmCgroupDirectory = jvmCgroupDirectory;
        this.jvmCgroupPath = jvmCgroupPath;
        this.directory = directory;
        this.cgroupPath = join(jvmCgroupPath, directory.getFileName().toString());
        this.killFile = killFile;
        this.pidNamespace = pidNamespace;
    }

    static String join(String parent, String name) {
        return parent.endsWith("/") ? parent + name : parent + "/" + name;
    }

    /** Whether {@code name} is a valid name for a cgroup of ours (never one a control file could have). */
    static boolean validName(String name) {
        return SCOPE_NAME.matcher(name).matches();
    }

    /** The name of the directory of the JVM {@code pid}, started at {@code startTime} ticks, in pid namespace {@code pidNamespace}. */
    static String nameFor(long pid, long startTime, long pidNamespace) {
        return PREFIX + pid + "-" + startTime + "-" + pidNamespace;
    }

    /**
     * The owner named by a per-JVM directory name.
     *
     * @param pid the owner JVM's pid
     * @param startTime its start time, clock ticks since boot
     * @param pidNamespace the inode of its pid namespace
     */
    record Owner(long pid, long startTime, long pidNamespace) {
    }

    static Optional<Owner> owner(String directoryName) {
        Matcher m = OWNED.matcher(directoryName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Owner(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** This JVM's directory, such as {@code /sys/fs/cgroup/unified/managed-processes-4242-88123-4026531836}. */
    public Path directory() {
        return directory;
    }

    /** This JVM's directory as {@code /proc/PID/cgroup} shows it. */
    public String cgroupPath() {
        return cgroupPath;
    }

    /** The JVM's own cgroup's directory (the parent of {@link #directory()}). */
    public Path jvmCgroupDirectory() {
        return jvmCgroupDirectory;
    }

    /** The JVM's own cgroup as {@code /proc/self/cgroup} shows it. */
    public String jvmCgroupPath() {
        return jvmCgroupPath;
    }

    /** How scope cgroups are killed on this kernel. */
    public KillMethod killMethod() {
        return killFile ? KillMethod.CGROUP_KILL : KillMethod.FREEZE_AND_SIGKILL;
    }

    /** One line for the log and the leak report's header: the mechanism in use. */
    public String describe() {
        return "cgroup v2: each scope in its own cgroup under " + directory + ", ended with " + killMethod().description();
    }

    /**
     * Creates the cgroup of one scope. {@code name} is letters, digits, '_' and '-' (no '.', which control
     * files use), unique among this JVM's scopes. Re-creates this JVM's directory first if it has been
     * removed ({@link #removeIfEmpty}).
     */
    public ScopeCgroup createScope(String name) throws CgroupException {
        if (!SCOPE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("scope cgroup name must be 1 to 128 letters, digits, '_' or '-': " + name);
        }
        Path dir = directory.resolve(name);
        int e = CgroupFiles.mkdir(dir);
        if (e == Errno.ENOENT) {
            int again = CgroupFiles.mkdir(directory);
            if (again != 0 && again != Errno.EEXIST) {
                throw new CgroupException("mkdir", directory, again, "");
            }
            e = CgroupFiles.mkdir(dir);
        }
        if (e != 0) {
            throw new CgroupException("mkdir", dir, e, switch (e) {
                case Errno.EEXIST -> "a scope cgroup of that name exists already";
                case Errno.EAGAIN -> "cgroup.max.descendants or cgroup.max.depth above forbids more cgroups";
                default -> "";
            });
        }
        return new ScopeCgroup(dir, join(cgroupPath, name), killFile, jvmCgroupDirectory);
    }

    /**
     * Removes this JVM's directory if no process is left in it (for the end of the run), with the scope
     * cgroups still in it: those of the scopes closed last, which the library's thread had not removed yet
     * (it does once idle, after {@code close()} returns; at exit nothing waits for it). Returns false,
     * changing nothing, while a process lives in it.
     */
    public boolean removeIfEmpty() throws CgroupException {
        int e = CgroupFiles.rmdir(directory);
        if (e == 0 || e == Errno.ENOENT) {
            return true;
        }
        if (e == Errno.EBUSY || e == Errno.ENOTEMPTY) {
            String events;
            try {
                events = CgroupFiles.read(directory.resolve("cgroup.events"));
            } catch (CgroupException gone) {
                return gone.errno() == Errno.ENOENT;
            }
            if (CgroupFiles.eventValue(events, "populated") != '0') {
                return false;
            }
            CgroupFiles.removeTree(directory); // every cgroup below is empty: a removal cannot fail on a process
            return true;
        }
        throw new CgroupException("rmdir", directory, e, "");
    }

    /**
     * What {@link #removeStale} did.
     *
     * @param removed directories of dead JVMs that were killed, found empty and removed
     * @param problems one sentence per directory that could not be cleaned up, and why
     */
    public record StaleCleanup(List<Path> removed, List<String> problems) {
    }

    /**
     * Cleans up after JVMs that died without removing their directories (SIGKILL, a crash): every
     * per-JVM directory beside this one, in this pid namespace, whose owner (pid and start time) no
     * longer runs is killed ({@code cgroup.kill}, or the freeze fallback), awaited empty for at most
     * {@code timeout} and removed, child cgroups first. A directory whose owner runs, or which names
     * another pid namespace, is never touched; one that holds this JVM or one of its ancestors is
     * reported and left, since killing it would end them.
     */
    public StaleCleanup removeStale(Duration timeout) {
        List<Path> removed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Path> siblings;
        try {
            siblings = CgroupFiles.children(jvmCgroupDirectory);
        } catch (CgroupException e) {
            problems.add(e.getMessage());
            return new StaleCleanup(removed, problems);
        }
        for (Path dir : siblings) {
            Optional<Owner> owner = owner(dir.getFileName().toString());
            if (owner.isEmpty() || owner.get().pidNamespace() != pidNamespace || dir.equals(directory)
                    || alive(owner.get())) {
                continue;
            }
            String relative = join(jvmCgroupPath, dir.getFileName().toString());
            String inside = protectedInside(relative);
            if (inside != null) {
                problems.add("left " + dir + " of dead JVM " + owner.get().pid() + ": " + inside + " is inside it");
                continue;
            }
            try {
                CgroupFiles.kill(dir, relative, killFile);
                if (!CgroupFiles.awaitEvent(dir, "populated", '0', timeout.toNanos())) {
                    problems.add("left " + dir + " of dead JVM " + owner.get().pid() + ": still populated "
                            + timeout.toMillis() + " ms after the kill (pids " + CgroupFiles.list(CgroupFiles.procsRecursive(dir)) + ")");
                    continue;
                }
                CgroupFiles.removeTree(dir);
                removed.add(dir);
            } catch (CgroupException e) {
                if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENODEV) { // else another JVM cleaned it meanwhile
                    problems.add("left " + dir + " of dead JVM " + owner.get().pid() + ": " + e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add("interrupted while cleaning up " + dir);
                break;
            }
        }
        return new StaleCleanup(removed, problems);
    }

    /** Alive: the pid exists in this namespace, is no zombie, and started when the name says. */
    private static boolean alive(Owner owner) {
        Optional<ProcStat> s = ProcFs.stat(owner.pid());
        return s.isPresent() && !s.get().isGone() && s.get().startTime() == owner.startTime();
    }

    /** "this JVM" or "ancestor N" when one of them is in {@code relative} or below, else null. */
    private static String protectedInside(String relative) {
        long self = ProcessHandle.current().pid();
        long p = self;
        for (int depth = 0; p > 0 && depth < 4096; depth++) {
            Optional<String> cg = CgroupFiles.cgroupOf(p);
            if (cg.isPresent() && CgroupFiles.isWithin(cg.get(), relative)) {
                return p == self ? "this JVM (pid " + self + ")" : "its ancestor pid " + p;
            }
            if (p == 1) {
                break;
            }
            p = ProcFs.stat(p).map(ProcStat::ppid).orElse(0L);
        }
        return null;
    }

    @Override
    public String toString() {
        return describe();
    }
}
