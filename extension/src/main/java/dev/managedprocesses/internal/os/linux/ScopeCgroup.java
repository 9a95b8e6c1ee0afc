package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.ProcStat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * One scope's cgroup v2: a directory under this JVM's per-JVM cgroup ({@link JvmCgroup#createScope}) that
 * holds the processes the scope started or adopted and everything they fork, whatever they later do to
 * their process group, session, environment or title. {@link #kill()} ends them all and
 * {@link #awaitEmpty} proves it from the kernel's own count ({@code populated 0} in {@code cgroup.events}).
 *
 * <pre>{@code
 * ScopeCgroup cg = jvmCgroup.createScope("scope-7");
 * cg.addSpawnedChild(pid);                 // right after posix_spawn
 * ...
 * cg.kill();                               // teardown: after TERM and the grace period
 * if (!cg.awaitEmpty(Duration.ofSeconds(5))) { ... report cg.members() ... }
 * cg.remove();
 * }</pre>
 *
 * <p>Hazards, each handled beside the code named:
 * <ul>
 *   <li><b>Whatever enters is killed.</b> {@link #add} and {@link #addWithDescendants} refuse every pid
 *       the caller's protected-pid check names (the library's one check: this JVM, a thread of it, since
 *       writing a thread's id moves its whole process, and its ancestors), and pid 1 and below.
 *       {@link #addSpawnedChild} skips the check: its pid is the JVM's own unreaped child, none of them. {@link #kill()} refuses when this JVM
 *       itself is found inside, however it got there.</li>
 *   <li><b>Pid reuse while adopting.</b> The kernel moves by pid only. {@link #add(long, long)} checks the
 *       start time before and after the write; a different process found after it (the pid was reused
 *       in between) is moved back out to the JVM's own cgroup and not counted.</li>
 *   <li><b>Forks during adoption.</b> A process forks into the cgroup it is in at that moment, so a
 *       process forked before its parent moved is born outside. {@link #addWithDescendants} repeats
 *       until a pass over the process table finds no descendant outside.</li>
 *   <li><b>The window after spawn.</b> Without placement at birth (glibc before 2.39) the child runs
 *       from its first instruction until {@link #addSpawnedChild}; a child that forks in that window
 *       leaves a descendant outside. See {@link CgroupSpawnPlacement}.</li>
 *   <li><b>Processes that may write the hierarchy.</b> A member running as root (or owning the
 *       delegated subtree) can move itself out; a cgroup contains only processes that cannot.</li>
 *   <li><b>The directory descriptor.</b> {@link #directoryFd()} stays open for placement at birth until
 *       {@link #remove()}; remove only once the scope starts nothing more.</li>
 * </ul>
 */
public final class ScopeCgroup implements Container {
    /** Enough passes for any tree that stops forking; a tree still growing after them is reported unstable. */
    private static final int MAX_ADOPTION_PASSES = 50;

    private final Path path;
    private final String cgroupPath;
    private final boolean killFile;
    private final Path jvmCgroup;
    private int directoryFd = -1; // guarded by this

    ScopeCgroup(Path path, String cgroupPath, boolean killFile, Path jvmCgroup) {
        this.path = path;
        this.cgroupPath = cgroupPath;
        this.killFile = killFile;
        this.jvmCgroup = jvmCgroup;
    }

    /** The cgroup's directory, such as {@code /sys/fs/cgroup/managed-processes-4242-88123-4026531836/scope-7}. */
    public Path path() {
        return path;
    }

    /** The cgroup as {@code /proc/PID/cgroup} shows it (after {@code 0::}), relative to the cgroup namespace root. */
    public String cgroupPath() {
        return cgroupPath;
    }

    @Override
    public String location() {
        return path.toString();
    }

    @Override
    public ScopeCgroup child(String name) throws CgroupException {
        return createChild(name);
    }

    @Override
    public boolean addChild(long pid) throws CgroupException {
        return addSpawnedChild(pid);
    }

    @Override
    public List<Long> adopt(long pid, long startTime, LongFunction<String> refusal) throws CgroupException {
        return addWithDescendants(pid, startTime, refusal).members();
    }

    @Override
    public void killAll() throws CgroupException {
        kill();
    }

    /** The directory's name. */
    public String name() {
        return path.getFileName().toString();
    }

    /**
     * Creates a cgroup inside this one (a process's own, below its scope's): killing or freezing this one
     * reaches it too. {@code name} follows the rules of {@link JvmCgroup#createScope}.
     */
    public ScopeCgroup createChild(String name) throws CgroupException {
        if (!JvmCgroup.validName(name)) {
            throw new IllegalArgumentException("cgroup name must be 1 to 128 letters, digits, '_' or '-': " + name);
        }
        Path dir = path.resolve(name);
        int e = CgroupFiles.mkdir(dir);
        if (e != 0) {
            throw new CgroupException("mkdir", dir, e, e == Errno.EEXIST ? "a cgroup of that name exists already"
                    : e == Errno.EAGAIN ? "cgroup.max.descendants or cgroup.max.depth above forbids more cgroups" : "");
        }
        return new ScopeCgroup(dir, JvmCgroup.join(cgroupPath, name), killFile, jvmCgroup);
    }

    /**
     * {@code cgroup.events} opened read-only and close-on-exec: it polls ready for POLLPRI when the populated
     * or frozen state changes (the kernel rate-limits that to one notification per 10 ms per file, then
     * delivers the last change by timer). {@link #populated(int)} reads through it, which re-arms it.
     */
    @Override
    public int openEvents() throws CgroupException {
        Path events = path.resolve("cgroup.events");
        int fd = CgroupFiles.libc().open(CgroupFiles.c(events), CgroupFiles.O_RDONLY | CgroupFiles.O_CLOEXEC);
        if (fd < 0) {
            int e = LibC.errno();
            throw new CgroupException("open", events, e, e == Errno.ENOENT ? "the cgroup does not exist (removed?)" : "");
        }
        return fd;
    }

    /** {@code populated}, read through a descriptor from {@link #openEvents()}. */
    @Override
    public boolean populated(int eventsFd) throws CgroupException {
        byte[] buf = new byte[128];
        long n;
        do {
            n = CgroupFiles.libc().pread(eventsFd, buf, buf.length, 0);
        } while (n < 0 && LibC.errno() == Errno.EINTR);
        if (n < 0) {
            int e = LibC.errno();
            throw new CgroupException("read", path.resolve("cgroup.events"), e, e == Errno.ENODEV ? "the cgroup was removed" : "");
        }
        return CgroupFiles.eventValue(new String(buf, 0, (int) n, java.nio.charset.StandardCharsets.US_ASCII),
                "populated") == '1';
    }

    // ---------------------------------------------------------------- entering

    /**
     * Moves the JVM's own, still unreaped child {@code pid} in, right after it was spawned. No protection
     * or identity check: an unreaped child's pid cannot be reused, and it is neither the JVM nor an
     * ancestor. Returns false when the kernel says there is no such process (ESRCH). Hazard: for a child
     * that has already exited (a zombie) the kernel accepts the write and moves nothing, so this returns
     * true; what that child forked before it exited was born outside.
     */
    public boolean addSpawnedChild(long pid) throws CgroupException {
        int e = CgroupFiles.write(path.resolve("cgroup.procs"), Long.toString(pid));
        if (e == 0) {
            return true;
        }
        if (e == Errno.ESRCH) {
            return false;
        }
        throw moveFailure(pid, e);
    }

    /**
     * {@code cgroup.procs} opened for writing, before a spawn: the move right after it is then a single
     * write(2), which leaves the child the least time to fork outside. The caller closes it.
     */
    public int openProcs() throws CgroupException {
        int fd = CgroupFiles.openForWriting(path.resolve("cgroup.procs"));
        if (fd < 0) {
            throw new CgroupException("open", path.resolve("cgroup.procs"), -fd,
                    -fd == Errno.ENOENT ? "the cgroup does not exist (removed?)" : "");
        }
        return fd;
    }

    /** As {@link #addSpawnedChild(long)}, through a descriptor from {@link #openProcs()}. */
    public boolean addSpawnedChild(long pid, int procsFd) throws CgroupException {
        int e = CgroupFiles.write(procsFd, Long.toString(pid));
        if (e == 0) {
            return true;
        }
        if (e == Errno.ESRCH) {
            return false;
        }
        throw moveFailure(pid, e);
    }

    /**
     * Moves process {@code pid}, whose start time (clock ticks since boot, {@code /proc/PID/stat} field 22)
     * is {@code startTime}, into this cgroup. Only that process moves: children it already has stay where
     * they are ({@link #addWithDescendants} moves them too). Returns false when it is gone, or when the pid
     * now names another process (which is then not left in here).
     *
     * @throws IllegalArgumentException when {@code refusal} names a reason for {@code pid} (this JVM, a thread or
     *     an ancestor of it), or {@code pid} is 1 or below
     * @throws CgroupException when the kernel refuses the move (EACCES, EPERM, EBUSY, EOPNOTSUPP, EINVAL...)
     */
    public boolean add(long pid, long startTime, LongFunction<String> refusal) throws CgroupException {
        refuse(pid, refusal);
        return moveVerified(pid, startTime, new ArrayList<>());
    }

    /**
     * What {@link #addWithDescendants} moved.
     *
     * @param members pids moved in (or found inside already), the root first, parents before children
     * @param evicted processes that took a member's pid between the look and the move, moved back out
     * @param passes passes over the process table, the last of which found nothing left outside
     * @param stable false when the tree still grew after the last pass (a fork bomb)
     */
    public record Adoption(List<Long> members, List<Long> evicted, int passes, boolean stable) {
    }

    /**
     * Moves {@code pid} (start time {@code startTime}) and all its current descendants in, for adoption.
     * Children fork into the cgroup their parent is in at that moment, so a child forked before its
     * parent moved is born outside: each pass reads the process table (ppid links), moves parents before
     * children, and the passes repeat until one finds every descendant inside. Processes forked after
     * their parent moved are born inside and need no move.
     *
     * <p>Limit: a descendant whose parent exits between two passes re-parents away (to init or a
     * subreaper) and is no longer found through ppid links. Returns with an empty member list when the
     * root is already gone.
     *
     * @throws IllegalArgumentException when {@code pid} is protected (see {@link #add}); descendants that are
     *     protected are left where they are
     * @throws CgroupException when the kernel refuses a move other than for a vanished process
     */
    public Adoption addWithDescendants(long pid, long startTime, LongFunction<String> refusal) throws CgroupException {
        refuse(pid, refusal);
        Map<Long, Long> members = new LinkedHashMap<>(); // pid -> start time
        List<Long> evicted = new ArrayList<>();
        for (int pass = 1; pass <= MAX_ADOPTION_PASSES; pass++) {
            Map<Long, List<ProcStat>> children = new HashMap<>();
            ProcStat root = null;
            for (ProcStat s : ProcFs.snapshot()) {
                children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s);
                if (s.pid() == pid && s.startTime() == startTime) {
                    root = s;
                }
            }
            if (root == null) {
                return new Adoption(List.copyOf(members.keySet()), List.copyOf(evicted), pass, true);
            }
            int moved = 0;
            ArrayDeque<ProcStat> queue = new ArrayDeque<>();
            queue.add(root);
            while (!queue.isEmpty()) {
                ProcStat s = queue.poll();
                queue.addAll(children.getOrDefault(s.pid(), List.of()));
                Long known = members.get(s.pid());
                if (s.isZombie() || (known != null && known == s.startTime())) {
                    continue; // a zombie runs nothing (its children are still walked); a member stays a member
                }
                if (refusal.apply(s.pid()) != null) {
                    continue; // never moved in: a kill of this cgroup would reach it
                }
                Optional<String> cg = CgroupFiles.cgroupOf(s.pid());
                if (cg.isPresent() && CgroupFiles.isWithin(cg.get(), cgroupPath)) {
                    members.put(s.pid(), s.startTime()); // born inside after its parent moved
                } else if (moveVerified(s.pid(), s.startTime(), evicted)) {
                    members.put(s.pid(), s.startTime());
                    moved++;
                }
            }
            if (moved == 0) {
                return new Adoption(List.copyOf(members.keySet()), List.copyOf(evicted), pass, true);
            }
        }
        return new Adoption(List.copyOf(members.keySet()), List.copyOf(evicted), MAX_ADOPTION_PASSES, false);
    }

    /**
     * The move, with the identity checked on both sides of it: before, so a pid already reused is not
     * moved; after, because the process can exit and its pid be reused between that check and the write.
     * A stranger found in here after the write is moved back out to the JVM's own cgroup: it was somewhere
     * else before, and the JVM's cgroup is the nearest place that is no scope's.
     */
    private boolean moveVerified(long pid, long startTime, List<Long> evicted) throws CgroupException {
        if (!sameProcess(pid, startTime)) {
            return false;
        }
        if (!addSpawnedChild(pid)) {
            return false;
        }
        if (sameProcess(pid, startTime)) {
            return true;
        }
        Optional<String> cg = CgroupFiles.cgroupOf(pid);
        if (cg.isPresent() && CgroupFiles.isWithin(cg.get(), cgroupPath)) {
            int e = CgroupFiles.write(jvmCgroup.resolve("cgroup.procs"), Long.toString(pid));
            if (e == 0) {
                evicted.add(pid);
            }
        }
        return false;
    }

    private static boolean sameProcess(long pid, long startTime) {
        Optional<ProcStat> s = ProcFs.stat(pid);
        return s.isPresent() && s.get().startTime() == startTime && !s.get().isGone();
    }

    /**
     * Refuses {@code pid} when {@code refusal} (the caller's one protected-pid check) names a reason: a
     * kill of this cgroup would reach whatever enters it. pid 1 and below are never a single process.
     */
    private static void refuse(long pid, LongFunction<String> refusal) {
        String why = pid <= 1 ? "not a process a scope may own" : refusal.apply(pid);
        if (why != null) {
            throw new IllegalArgumentException("refusing to move pid " + pid + " into a scope cgroup: it is " + why
                    + ", and the scope's kill would end it");
        }
    }

    private CgroupException moveFailure(long pid, int e) {
        String why = switch (e) {
            case Errno.EACCES, Errno.EPERM -> "not permitted: moving a process needs write access to this"
                    + " cgroup.procs and to the cgroup.procs of the nearest cgroup above both the process's current"
                    + " cgroup and this one, so a process outside this JVM's own cgroup can be moved in only by root";
            case Errno.EBUSY -> "controllers are enabled in this cgroup's cgroup.subtree_control, and cgroup v2 then"
                    + " allows processes only in leaf cgroups";
            case Errno.EOPNOTSUPP -> "this cgroup is not a valid domain cgroup (see its cgroup.type)";
            case Errno.EINVAL -> "pid " + pid + " cannot be moved (a kernel thread, or not a pid)";
            case Errno.ENOENT -> "the cgroup does not exist (removed?), or the process's cgroup is outside this"
                    + " JVM's cgroup namespace";
            default -> "";
        };
        return new CgroupException("write " + pid + " to", path.resolve("cgroup.procs"), e, why);
    }

    // ---------------------------------------------------------------- reading

    /** The pids in this cgroup and any cgroup below it ({@code cgroup.procs}; zombies are not listed). */
    @Override
    public Set<Long> members() throws CgroupException {
        return CgroupFiles.procsRecursive(path);
    }

    /** Whether {@code pid} is in this cgroup (or below), by its {@code /proc/PID/cgroup}; false when it is gone. */
    @Override
    public boolean contains(long pid) {
        return CgroupFiles.cgroupOf(pid).filter(cg -> CgroupFiles.isWithin(cg, cgroupPath)).isPresent();
    }

    /**
     * Whether {@code pid} is in the {@code cgroup.procs} of the cgroup its {@code /proc/PID/cgroup} names, this
     * one or one below. An exiting process leaves that list part-way through its exit (the kernel's
     * {@code cgroup_exit}, which is also when {@code populated} may drop to 0), before it is a zombie; a zombie
     * is not listed either. Both still name the cgroup in {@code /proc/PID/cgroup}.
     */
    @Override
    public boolean listsLive(long pid) {
        Optional<String> cg = CgroupFiles.cgroupOf(pid).filter(c -> CgroupFiles.isWithin(c, cgroupPath));
        if (cg.isEmpty()) {
            return false;
        }
        String below = cg.get().substring(cgroupPath.length());
        Path dir = below.isEmpty() || below.equals("/") ? path : path.resolve(below.substring(1));
        try {
            Set<Long> listed = new HashSet<>();
            CgroupFiles.procs(dir, listed);
            return listed.contains(pid);
        } catch (CgroupException e) {
            return false; // removed meanwhile: nothing is in it
        }
    }

    /** {@code populated} of {@code cgroup.events}: a live process is in this cgroup or below. */
    @Override
    public boolean populated() throws CgroupException {
        return CgroupFiles.eventValue(CgroupFiles.read(path.resolve("cgroup.events")), "populated") == '1';
    }

    /** {@code frozen} of {@code cgroup.events}: every member is frozen (an empty cgroup freezes at once). */
    public boolean frozen() throws CgroupException {
        return CgroupFiles.eventValue(CgroupFiles.read(path.resolve("cgroup.events")), "frozen") == '1';
    }

    // ---------------------------------------------------------------- ending, waiting, freezing

    /**
     * SIGKILLs every process in this cgroup and below: {@code cgroup.kill} where the kernel has it, else
     * freeze, SIGKILL each member, thaw (see {@link KillMethod}). Returns without waiting: the processes
     * are dying; {@link #awaitEmpty} waits for the kernel to say they are gone.
     *
     * @throws IllegalStateException when this JVM itself is inside
     */
    public KillMethod kill() throws CgroupException {
        return CgroupFiles.kill(path, cgroupPath, killFile);
    }

    /** {@link #kill()} through the fallback even where {@code cgroup.kill} exists (tests of the fallback). */
    KillMethod killByFreezing() throws CgroupException {
        return CgroupFiles.kill(path, cgroupPath, false);
    }

    /**
     * Waits until no live process is in this cgroup or below ({@code populated 0}), woken by the kernel's
     * change notification on {@code cgroup.events}, not by polling the process table. Returns false when
     * {@code timeout} passed first. Zombies do not count: a killed child of the JVM is "gone" here before
     * it is reaped. The kernel notifies at most once per 10 ms per cgroup: on a cgroup whose last change was
     * less than 10 ms earlier (a child moved in just before the kill), the wake-up can come up to about
     * 10 ms plus a tick after it empties.
     */
    @Override
    public boolean awaitEmpty(Duration timeout) throws CgroupException, InterruptedException {
        return CgroupFiles.awaitEvent(path, "populated", '0', timeout.toNanos());
    }

    /**
     * Freezes every process in this cgroup and below ({@code cgroup.freeze}) and waits, event-driven, for
     * {@code frozen 1}. Returns false when {@code timeout} passed first (a member in uninterruptible sleep
     * freezes only when it leaves it); the cgroup stays set to freeze either way. Processes moved in or
     * forked later freeze too. A frozen process still dies of SIGKILL.
     */
    @Override
    public boolean freeze(Duration timeout) throws CgroupException, InterruptedException {
        setFreeze('1');
        return CgroupFiles.awaitEvent(path, "frozen", '1', timeout.toNanos());
    }

    /** Undoes {@link #freeze} and waits, event-driven, for {@code frozen 0}; false when {@code timeout} passed first. */
    @Override
    public boolean thaw(Duration timeout) throws CgroupException, InterruptedException {
        setFreeze('0');
        return CgroupFiles.awaitEvent(path, "frozen", '0', timeout.toNanos());
    }

    private void setFreeze(char value) throws CgroupException {
        int e = CgroupFiles.write(path.resolve("cgroup.freeze"), String.valueOf(value));
        if (e != 0) {
            throw new CgroupException("write " + value + " to", path.resolve("cgroup.freeze"), e,
                    e == Errno.ENOENT ? "the cgroup does not exist (removed?), or the kernel has no cgroup v2 freezer (5.2+)" : "");
        }
    }

    // ---------------------------------------------------------------- placement at birth, removal

    /**
     * This cgroup's directory opened {@code O_RDONLY | O_DIRECTORY | O_CLOEXEC}, for
     * {@code posix_spawnattr_setcgroup_np} (clone3 CLONE_INTO_CGROUP); opened on first use, closed by
     * {@link #remove()}. Close-on-exec, as every descriptor the JVM keeps.
     */
    public synchronized int directoryFd() throws CgroupException {
        if (directoryFd < 0) {
            int fd = CgroupFiles.openDirectory(path);
            if (fd < 0) {
                throw new CgroupException("open", path, -fd, "");
            }
            directoryFd = fd;
        }
        return directoryFd;
    }

    /**
     * Removes this cgroup (rmdir, any cgroup below it first) and closes its directory descriptor. Only an
     * empty cgroup can be removed: {@link #kill()} and {@link #awaitEmpty} first. Already removed counts
     * as removed.
     *
     * @throws CgroupException EBUSY when a live process is still inside
     */
    @Override
    public void remove() throws CgroupException {
        synchronized (this) {
            if (directoryFd >= 0) {
                CgroupFiles.libc().close(directoryFd);
                directoryFd = -1;
            }
        }
        CgroupFiles.removeTree(path);
    }

    @Override
    public String toString() {
        return "cgroup " + path;
    }
}
