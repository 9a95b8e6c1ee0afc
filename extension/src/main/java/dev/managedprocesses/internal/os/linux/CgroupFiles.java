package dev.managedprocesses.internal.os.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The cgroup v2 file operations, each made with system calls whose errno is kept: {@code cgroup.procs}
 * answers a refused move with ESRCH, EACCES, EBUSY or EOPNOTSUPP, and each means something else to the
 * caller, which {@code java.nio} would flatten into one {@code IOException}.
 *
 * <p>Everything here takes the cgroup's directory ({@code /sys/fs/cgroup/...}) and, where membership
 * is checked, its path as {@code /proc/PID/cgroup} shows it (relative to the cgroup namespace root).
 */
final class CgroupFiles {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_CLOEXEC = 02000000;
    /** O_DIRECTORY is one of the few open flags whose value differs between architectures. */
    static final int O_DIRECTORY = switch (System.getProperty("os.arch")) {
        case "aarch64", "arm", "ppc64", "ppc64le" -> 040000;
        default -> 0200000;
    };
    private static final int W_OK = 2;
    private static final int SIGKILL = 9;
    private static final short POLLPRI = 0x2;
    /**
     * The longest one poll(2) blocks. A wait wakes at once on each change of {@code cgroup.events}; the
     * slice only bounds how long an interrupt of the waiting thread goes unnoticed (poll is not
     * interruptible from Java).
     */
    private static final int POLL_SLICE_MILLIS = 200;

    private CgroupFiles() {
    }

    private static final class Holder {
        static final LibC LIBC = LibC.load();
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    static String strerror(int errno) {
        try {
            return libc().strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            return "errno " + errno;
        }
    }

    static byte[] c(Path path) {
        return LibC.cString(path.toString());
    }

    // ---------------------------------------------------------------- single calls, errno as the result

    /** mkdir(2) with mode 0755; 0 or the errno. */
    static int mkdir(Path dir) {
        return libc().mkdir(c(dir), 0755) == 0 ? 0 : LibC.errno();
    }

    /** rmdir(2); 0 or the errno (EBUSY: still populated or has child cgroups). */
    static int rmdir(Path dir) {
        return libc().rmdir(c(dir)) == 0 ? 0 : LibC.errno();
    }

    /** access(2) for writing; 0 or the errno (EACCES, EROFS, ENOENT). */
    static int writable(Path file) {
        return libc().access(c(file), W_OK) == 0 ? 0 : LibC.errno();
    }

    /**
     * Writes {@code text} to a cgroup control file in one write(2): cgroupfs acts on each write as one
     * command ({@code cgroup.procs} moves one pid per write), and answers with the errno of that command.
     * Returns 0 or the errno (of open or of write).
     */
    static int write(Path file, String text) {
        LibC libc = libc();
        int fd = libc.open(c(file), O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            return LibC.errno();
        }
        try {
            return write(fd, text);
        } finally {
            libc.close(fd);
        }
    }

    /** Writes {@code text} to an open control file in one write(2); 0 or the errno. */
    static int write(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        while (true) {
            long n = libc().write(fd, bytes, 0, bytes.length);
            if (n == bytes.length) {
                return 0;
            }
            int e = n < 0 ? LibC.errno() : Errno.EINVAL; // a short write would be half a command
            if (e != Errno.EINTR) {
                return e;
            }
        }
    }

    /** A control file opened for writing (O_WRONLY | O_CLOEXEC); the fd, or -errno. */
    static int openForWriting(Path file) {
        int fd = libc().open(c(file), O_WRONLY | O_CLOEXEC);
        return fd >= 0 ? fd : -LibC.errno();
    }

    /** A cgroup directory opened O_RDONLY | O_DIRECTORY | O_CLOEXEC (for CLONE_INTO_CGROUP); the fd or -errno. */
    static int openDirectory(Path dir) {
        int fd = libc().open(c(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd >= 0 ? fd : -LibC.errno();
    }

    /** A whole control file (cgroup.procs may be long: read until end of file). */
    static String read(Path file) throws CgroupException {
        LibC libc = libc();
        int fd = libc.open(c(file), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int e = LibC.errno();
            throw new CgroupException("open", file, e, e == Errno.ENOENT ? "the cgroup does not exist (removed?)" : "");
        }
        try {
            byte[] chunk = new byte[4096];
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
            while (true) {
                long n = libc.read(fd, chunk, chunk.length);
                if (n < 0) {
                    int e = LibC.errno();
                    if (e == Errno.EINTR) {
                        continue;
                    }
                    throw new CgroupException("read", file, e, e == Errno.ENODEV ? "the cgroup was removed" : "");
                }
                if (n == 0) {
                    return out.toString(StandardCharsets.US_ASCII);
                }
                out.write(chunk, 0, (int) n);
            }
        } finally {
            libc.close(fd);
        }
    }

    // ---------------------------------------------------------------- cgroup.events

    /** The value ('0' or '1') of {@code key} in a {@code cgroup.events} text, or '?' when absent. */
    static char eventValue(String events, String key) {
        String prefix = key + " ";
        int v;
        if (events.startsWith(prefix)) {
            v = prefix.length();
        } else {
            int i = events.indexOf("\n" + prefix);
            if (i < 0) {
                return '?';
            }
            v = i + 1 + prefix.length();
        }
        return v < events.length() ? events.charAt(v) : '?';
    }

    /**
     * Waits until {@code key} in {@code dir/cgroup.events} reads {@code want}, event-driven: cgroupfs
     * marks the file changed on every populated/frozen transition, and poll(2) for POLLPRI on a descriptor
     * that has read the file returns as soon as it changes again. Reading before each poll is what makes
     * this race-free: a change between the read and the poll leaves the descriptor marked, so poll returns
     * at once. Returns false when the timeout passed first.
     *
     * <p>Kernel behaviour: the file's content changes at once, but its notifications are rate-limited to
     * one per {@code CGROUP_FILE_NOTIFY_MIN_INTV} (10 ms) per file, and a change within that interval of
     * the previous notification is notified by a timer when it ends. A wait whose first read comes just
     * before such a change (a freeze right after a move, a kill right after a spawn) can return up to about
     * 10 ms plus a tick after the change; measured here, 16 ms.
     */
    static boolean awaitEvent(Path dir, String key, char want, long timeoutNanos)
            throws CgroupException, InterruptedException {
        Path events = dir.resolve("cgroup.events");
        LibC libc = libc();
        int fd = libc.open(c(events), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int e = LibC.errno();
            throw new CgroupException("open", events, e, e == Errno.ENOENT ? "the cgroup does not exist (removed?)" : "");
        }
        long pollfd = LibC.allocate(8); // struct pollfd { int fd; short events, revents; }
        byte[] buf = new byte[128];
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                long n = libc.pread(fd, buf, buf.length, 0);
                if (n < 0) {
                    int e = LibC.errno();
                    if (e == Errno.EINTR) {
                        continue;
                    }
                    throw new CgroupException("read", events, e, e == Errno.ENODEV ? "the cgroup was removed" : "");
                }
                if (eventValue(new String(buf, 0, (int) n, StandardCharsets.US_ASCII), key) == want) {
                    return true;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for " + key + " " + want + " in " + events);
                }
                int millis = (int) Math.min(POLL_SLICE_MILLIS, (remaining + 999_999) / 1_000_000);
                LibC.MEMORY.putInt(pollfd, fd);
                LibC.MEMORY.putShort(pollfd + 4, POLLPRI);
                LibC.MEMORY.putShort(pollfd + 6, (short) 0);
                libc.poll(pollfd, 1, millis); // ready, timed out or EINTR: each case reads again
            }
        } finally {
            LibC.free(pollfd);
            libc.close(fd);
        }
    }

    // ---------------------------------------------------------------- membership

    /** The cgroup v2 path of {@code pid} as {@code /proc/PID/cgroup} shows it ("0::" line), or empty when it is gone. */
    static Optional<String> cgroupOf(long pid) {
        return ProcFs.read("/proc/" + pid + "/cgroup", 4096)
                .flatMap(b -> unifiedPath(new String(b, StandardCharsets.UTF_8)));
    }

    /** The path of the "0::" line of a {@code /proc/PID/cgroup} text. */
    static Optional<String> unifiedPath(String procCgroup) {
        for (String line : procCgroup.split("\n")) {
            if (line.startsWith("0::")) {
                return Optional.of(line.substring(3));
            }
        }
        return Optional.empty();
    }

    /** Whether {@code cgroup} (a /proc/PID/cgroup path) is {@code relative} or inside it. */
    static boolean isWithin(String cgroup, String relative) {
        return cgroup.equals(relative) || cgroup.startsWith(relative.endsWith("/") ? relative : relative + "/");
    }

    /** The child cgroups of {@code dir} (its subdirectories). */
    static List<Path> children(Path dir) throws CgroupException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CgroupException("list", dir, Errno.ENOENT, "the cgroup does not exist (removed?)");
        } catch (IOException e) {
            throw new CgroupException("list", dir, Errno.EINVAL, String.valueOf(e.getMessage()));
        }
    }

    /** The pids in {@code dir} and every cgroup below it (each {@code cgroup.procs}), without duplicates. */
    static Set<Long> procsRecursive(Path dir) throws CgroupException {
        Set<Long> out = new LinkedHashSet<>();
        collectProcs(dir, out);
        return out;
    }

    /** The pids in {@code dir} itself (its {@code cgroup.procs}), added to {@code out}. */
    static void procs(Path dir, Set<Long> out) throws CgroupException {
        for (String line : read(dir.resolve("cgroup.procs")).split("\n")) {
            if (!line.isEmpty()) {
                out.add(Long.parseLong(line.trim()));
            }
        }
    }

    private static void collectProcs(Path dir, Set<Long> out) throws CgroupException {
        procs(dir, out);
        for (Path child : children(dir)) {
            try {
                collectProcs(child, out);
            } catch (CgroupException e) {
                if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENODEV) {
                    throw e;
                } // a child cgroup removed while we listed: nothing in it any more
            }
        }
    }

    /**
     * rmdir of {@code dir} and every cgroup below it, children first; a cgroup already gone counts as
     * removed. The rmdir is tried first: listing a cgroup directory costs a stat per control file, and a
     * scope cgroup rarely has children (EBUSY says it has, or that it is still populated).
     */
    static void removeTree(Path dir) throws CgroupException {
        int e = rmdir(dir);
        if (e == Errno.EBUSY) {
            List<Path> kids;
            try {
                kids = children(dir);
            } catch (CgroupException gone) {
                if (gone.errno() == Errno.ENOENT) {
                    return;
                }
                throw gone;
            }
            for (Path child : kids) {
                removeTree(child);
            }
            // Again even when no child was left to remove: another thread (the library's, removing the cgroups of
            // a scope it closed) may have removed them between the first rmdir and the listing.
            e = rmdir(dir);
        }
        if (e != 0 && e != Errno.ENOENT) {
            throw new CgroupException("rmdir", dir, e, e == Errno.EBUSY
                    ? "the cgroup still has live processes: kill it and await empty first" : "");
        }
    }

    // ---------------------------------------------------------------- killing

    /**
     * Ends every process in {@code dir} and below: {@code cgroup.kill} where the kernel has it (5.14+),
     * which SIGKILLs the whole subtree in the kernel, forks in flight and migrations included. Before
     * 5.14: freeze, SIGKILL each member, thaw ({@link #killByFreezing}). Refuses (IllegalStateException)
     * when this JVM itself is inside: a cgroup kill would end it.
     */
    static KillMethod kill(Path dir, String relative, boolean killFile) throws CgroupException {
        refuseIfJvmInside(dir, relative);
        if (killFile) {
            int e = write(dir.resolve("cgroup.kill"), "1");
            if (e != 0) {
                throw new CgroupException("write 1 to", dir.resolve("cgroup.kill"), e,
                        e == Errno.ENOENT ? "the cgroup does not exist (removed?)" : "");
            }
            return KillMethod.CGROUP_KILL;
        }
        killByFreezing(dir, relative);
        return KillMethod.FREEZE_AND_SIGKILL;
    }

    private static void refuseIfJvmInside(Path dir, String relative) {
        long self = ProcessHandle.current().pid();
        Optional<String> own = cgroupOf(self);
        if (own.isPresent() && isWithin(own.get(), relative)) {
            throw new IllegalStateException("refusing to kill " + dir + ": this JVM (pid " + self
                    + ") is inside it (its cgroup is " + own.get() + ")");
        }
    }

    /** How long the fallback waits for {@code frozen 1} before it signals anyway (members in D state freeze late). */
    private static final long FREEZE_WAIT_NANOS = 2_000_000_000L;

    /**
     * The kill for kernels without {@code cgroup.kill}: freeze, SIGKILL each member, thaw. Frozen members
     * cannot fork, so the member list stops changing; SIGKILL reaches frozen tasks (a fatal signal ends
     * the freezer trap). Rounds repeat until a round finds no member it has not signalled, for members
     * that had not frozen yet when the wait gave up.
     *
     * <p>Hazard: a listed pid could exit, be reaped and be reused by a stranger before it is signalled.
     * Each member is opened as a pidfd first, its membership checked through that process's
     * {@code /proc/PID/cgroup}, and signalled through the pidfd: the pidfd names one process, and the
     * check after opening it proves the process is the member. Without pidfds (before 5.3), a
     * membership check and kill(2) leave a window of microseconds; a frozen member cannot exit on its
     * own, which keeps it small.
     */
    static void killByFreezing(Path dir, String relative) throws CgroupException {
        int e = write(dir.resolve("cgroup.freeze"), "1");
        if (e != 0) {
            throw new CgroupException("write 1 to", dir.resolve("cgroup.freeze"), e, "");
        }
        try {
            try {
                awaitEvent(dir, "frozen", '1', FREEZE_WAIT_NANOS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt(); // keep going: the kill matters more than the wait
            }
            long self = ProcessHandle.current().pid();
            Set<String> signalled = new HashSet<>(); // pid:start
            while (true) {
                int fresh = 0;
                for (long pid : procsRecursive(dir)) {
                    if (pid == self) {
                        continue; // refuseIfJvmInside ran first; never signal ourselves whatever was moved since
                    }
                    long start = ProcFs.stat(pid).map(s -> s.startTime()).orElse(-1L);
                    if (start < 0 || !signalled.add(pid + ":" + start)) {
                        continue;
                    }
                    fresh++;
                    killMember(pid, relative);
                }
                if (fresh == 0) {
                    break;
                }
            }
        } finally {
            write(dir.resolve("cgroup.freeze"), "0"); // never leave a cgroup frozen; dying tasks leave either way
        }
    }

    private static void killMember(long pid, String relative) {
        LibC libc = libc();
        int fd = libc.pidfd_open((int) pid, 0);
        if (fd >= 0) {
            try {
                if (cgroupOf(pid).filter(cg -> isWithin(cg, relative)).isPresent()) {
                    libc.pidfd_send_signal(fd, SIGKILL);
                }
            } finally {
                libc.close(fd);
            }
            return;
        }
        if (LibC.errno() == Errno.ESRCH) {
            return;
        }
        if (cgroupOf(pid).filter(cg -> isWithin(cg, relative)).isPresent()) {
            libc.kill((int) pid, SIGKILL);
        }
    }

    /** Lists what {@code values} holds, for messages. */
    static String list(Iterable<?> values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(String.valueOf(v)));
        return String.join(", ", out);
    }
}
