package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.Signal;
import dev.managedprocesses.internal.os.Descriptors;
import dev.managedprocesses.internal.os.Poller;
import dev.managedprocesses.internal.os.ProcessControl;
import dev.managedprocesses.internal.os.SignalNumbers;
import dev.managedprocesses.internal.os.SignalResult;
import dev.managedprocesses.internal.os.SpawnException;
import dev.managedprocesses.internal.os.SpawnRequest;
import dev.managedprocesses.internal.os.SpawnRequest.Stdio;
import dev.managedprocesses.internal.os.Spawned;
import dev.managedprocesses.internal.os.Spawner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import com.kenai.jffi.Invoker;

/**
 * Linux: posix_spawn, pidfd, signals, waitid and epoll, called through jffi (see {@link LibC}). The
 * process table is {@link LinuxProcessTable}; ports and open files are {@link LinuxInspector}.
 */
final class LinuxProcesses implements Spawner, ProcessControl, Descriptors {
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80; // glibc >= 2.26
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int O_APPEND = 02000;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int WALL = 0x40000000;
    private static final int P_ALL = 0;
    private static final int P_PID = 1;
    private static final int P_PIDFD = 3;
    private static final int CLD_EXITED = 1;
    private static final int CLD_KILLED = 2;
    private static final int CLD_DUMPED = 3;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int SC_CLK_TCK = 2;
    private static final int SIGINFO_SIZE = 128;
    private static final int ATTR_SIZE = 1024;
    private static final int ACTIONS_SIZE = 1024;
    private static final int SIGSET_SIZE = 128;

    /** Test hook: {@code -Dmanagedprocesses.internal.pidfd=false} exercises the pid fallback path. */
    private static final boolean PIDFD_ALLOWED =
            !"false".equals(System.getProperty("managedprocesses.internal.pidfd"));

    private static final SignalNumbers SIGNALS = SignalNumbers.LINUX;

    private final LibC libc;
    private final boolean pidfd;
    private final long ticksPerSecond;
    private volatile CgroupSpawnPlacement placement;
    private final java.util.concurrent.atomic.AtomicLong markers = new java.util.concurrent.atomic.AtomicLong();
    private volatile long jvmRttimeHardLimit = RttimeMarker.UNLIMITED;

    LinuxProcesses(LibC libc) {
        this.libc = libc;
        this.pidfd = PIDFD_ALLOWED && probePidfd();
        this.ticksPerSecond = clockTicks(libc);
    }

    /** Clock ticks per second of start times ({@code sysconf(_SC_CLK_TCK)}), 100 when unknown. */
    static long clockTicks(LibC libc) {
        long ticks = libc.sysconf(SC_CLK_TCK);
        return ticks > 0 ? ticks : 100;
    }

    /** Loads libc. Throws with a clear message when native access is impossible. */
    static LibC loadLibC() {
        nativeAccessHint();
        return LibC.load();
    }

    /**
     * Java 24+ warns when jffi loads its native library through JNI ({@code System.load}, JEP 472) unless
     * native access is enabled for it. Say, in one line, what to add (see README, "Java 24+").
     */
    private static void nativeAccessHint() {
        int feature = java.lang.Runtime.version().feature();
        if (feature < 24) {
            return;
        }
        try {
            Module module = Invoker.class.getModule();
            boolean enabled = (boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(module);
            if (!enabled) {
                System.err.println("managed-processes: Java " + feature + " needs native access for jffi: add "
                        + "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED")
                        + " to the test JVM (Surefire: <argLine>) to run without the JDK's restricted-method warning");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // cannot tell: say nothing
        }
    }

    /**
     * Whether the kernel has pidfds (5.3+). Works whatever the glibc: without its wrapper (before
     * 2.36) {@link LibC#pidfd_open} makes the raw system call, which fails with ENOSYS on older kernels.
     */
    private boolean probePidfd() {
        int fd = libc.pidfd_open(libc.getpid(), 0);
        if (fd >= 0) {
            libc.close(fd);
            return true;
        }
        return false;
    }

    private int errno() {
        return LibC.errno();
    }

    // ---------------------------------------------------------------- spawn

    @Override
    public Spawned spawn(SpawnRequest request) throws SpawnException {
        // One zeroed block for posix_spawnattr_t (336 bytes in glibc), posix_spawn_file_actions_t (80)
        // and two sigset_t (128 each), with room to spare; freed when the spawn returns.
        long block = LibC.allocate(ATTR_SIZE + ACTIONS_SIZE + 2 * SIGSET_SIZE);
        long attr = block;
        long actions = block + ATTR_SIZE;
        long emptySet = actions + ACTIONS_SIZE;
        long fullSet = emptySet + SIGSET_SIZE;
        long strings = 0;
        int procs = -1;
        List<Integer> childEnds = new ArrayList<>(3);
        int[] parentEnds = {-1, -1, -1};
        boolean ok = false;
        boolean attrInit = false;
        boolean actionsInit = false;
        try {
            check(libc.posix_spawnattr_init(attr), "posix_spawnattr_init");
            attrInit = true;
            check(libc.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            actionsInit = true;
            // A new group led by the child from its first instruction (no fork/setpgid race), an empty
            // signal mask and default dispositions: the JVM blocks SIGQUIT and may ignore SIGINT, and
            // ignored signals would otherwise survive exec.
            // emptySet is zeroed memory: no signal. fullSet gets every bit, not glibc's sigfillset, which
            // leaves out its internal signals 32 and 33, so the child would inherit them as ignored (the
            // JDK's children do): all 64 signals back to default.
            LibC.MEMORY.putLong(fullSet, -1L);
            // A new session makes the child lead a new group too. SETPGROUP must then be left out: glibc
            // calls setsid() first, and setpgid() on a session leader fails with EPERM.
            short group = request.newSession() ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP;
            check(libc.posix_spawnattr_setflags(attr,
                    (short) (group | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)), "setflags");
            if (!request.newSession()) {
                check(libc.posix_spawnattr_setpgroup(attr, 0), "setpgroup");
            }
            check(libc.posix_spawnattr_setsigmask(attr, emptySet), "setsigmask");
            check(libc.posix_spawnattr_setsigdefault(attr, fullSet), "setsigdefault");

            if (request.directory() != null) {
                check(libc.posix_spawn_file_actions_addchdir_np(actions, cString(request.directory())), "addchdir_np");
            }
            Stdio[] stdio = {request.stdin(), request.stdout(), request.stderr()};
            for (int fd = 0; fd < 3; fd++) {
                Stdio s = stdio[fd];
                switch (s.kind()) {
                    case PIPE -> {
                        int[] p = new int[2];
                        if (libc.pipe2(p, O_CLOEXEC) != 0) {
                            int e = errno();
                            throw new SpawnException(e, Errno.name(e), "pipe2 failed: " + libc.strerror(e));
                        }
                        int childEnd = fd == 0 ? p[0] : p[1];
                        int parentEnd = fd == 0 ? p[1] : p[0];
                        childEnds.add(childEnd);
                        parentEnds[fd] = parentEnd;
                        if (fd != 0) {
                            // Only the parent's read end is non-blocking: the flag lives on the open file
                            // description, and the child's end must stay blocking.
                            libc.fcntl(parentEnd, F_SETFL, libc.fcntl(parentEnd, F_GETFL, 0) | O_NONBLOCK);
                        }
                        check(libc.posix_spawn_file_actions_adddup2(actions, childEnd, fd), "adddup2");
                    }
                    case INHERIT -> { }
                    case DISCARD -> check(libc.posix_spawn_file_actions_addopen(actions, fd, cString("/dev/null"),
                            fd == 0 ? O_RDONLY : O_WRONLY, 0), "addopen");
                    case READ_FILE -> check(libc.posix_spawn_file_actions_addopen(actions, fd, cString(s.path()),
                            O_RDONLY, 0), "addopen");
                    case WRITE_FILE -> check(libc.posix_spawn_file_actions_addopen(actions, fd, cString(s.path()),
                            O_WRONLY | O_CREAT | O_TRUNC, 0666), "addopen");
                    case APPEND_FILE -> check(libc.posix_spawn_file_actions_addopen(actions, fd, cString(s.path()),
                            O_WRONLY | O_CREAT | O_APPEND, 0666), "addopen");
                    case SAME_AS_STDOUT -> check(libc.posix_spawn_file_actions_adddup2(actions, 1, 2), "adddup2");
                    default -> throw new IllegalArgumentException(s.kind().name());
                }
            }
            // Only 0, 1, 2 reach the child, whatever the JVM (or a library in it) has open without CLOEXEC.
            check(libc.posix_spawn_file_actions_addclosefrom_np(actions, 3), "addclosefrom_np");

            List<String> arguments = request.arguments();
            strings = stringArrays(arguments, request.environment());
            long argv = strings;
            long envp = strings + (long) (arguments.size() + 1) * Long.BYTES;
            int[] pid = new int[1];
            ScopeCgroup cgroup = cgroupOf(request);
            boolean atBirth = cgroup != null && requestAtBirth(attr, cgroup);
            // Everything the placement needs is ready before the spawn: after it the child runs, and whatever it
            // forks before it is moved is born outside. The move is then one write(2), and the marker one call.
            procs = cgroup != null && !atBirth ? openProcs(cgroup) : -1;
            byte[] file = cString(request.executable());
            // The birth mark: this thread's timer slack, which the child inherits at its first instruction.
            long slack = request.marker() != 0 ? TimerSlack.setOwn(libc, TimerSlack.forMarker(request.marker())) : -1;
            int err;
            long before;
            long after;
            try {
                // The clock around the spawn brackets the fork: its tick is the child's start time (BirthTick).
                before = libc.clockNanos(BirthTick.CLOCK_BOOTTIME);
                err = libc.posix_spawnp(pid, file, actions, attr, argv, envp);
                after = libc.clockNanos(BirthTick.CLOCK_BOOTTIME);
            } finally {
                if (slack >= 0) {
                    TimerSlack.restoreOwn(libc, slack);
                }
            }
            if (err != 0 && atBirth && placement().retryWithoutAtBirth(attr, err)) {
                atBirth = false;
                procs = openProcs(cgroup);
                before = libc.clockNanos(BirthTick.CLOCK_BOOTTIME);
                err = libc.posix_spawnp(pid, file, actions, attr, argv, envp);
                after = libc.clockNanos(BirthTick.CLOCK_BOOTTIME);
            }
            if (err != 0) {
                throw new SpawnException(err, Errno.name(err), libc.strerror(err));
            }
            contain(pid[0], request, cgroup, atBirth, procs);
            ok = true;
            return new Spawned(pid[0], parentEnds[0], parentEnds[1], parentEnds[2],
                    BirthTick.between(before, after, ticksPerSecond));
        } finally {
            if (procs >= 0) {
                libc.close(procs);
            }
            for (int fd : childEnds) {
                libc.close(fd);
            }
            if (!ok) {
                for (int fd : parentEnds) {
                    if (fd >= 0) {
                        libc.close(fd);
                    }
                }
            }
            if (actionsInit) {
                libc.posix_spawn_file_actions_destroy(actions);
            }
            if (attrInit) {
                libc.posix_spawnattr_destroy(attr);
            }
            LibC.free(strings);
            LibC.free(block);
        }
    }

    /** The request's container, which on this platform is a cgroup of ours (or null). */
    private static ScopeCgroup cgroupOf(SpawnRequest request) {
        if (request.container() == null) {
            return null;
        }
        if (request.container() instanceof ScopeCgroup cgroup) {
            return cgroup;
        }
        throw new IllegalArgumentException("not a cgroup of this platform: " + request.container());
    }

    /**
     * Right after the spawn, before anything else: the child moves into its cgroup (unless it was born in it)
     * and gets its marker. Both are inherited by whatever it forks from then on; what it forked before (it
     * runs from the exec on) is left to the other layers. Should either fail, the child, our own unreaped
     * child, is killed and reaped: a child the scope could not contain is never handed out.
     */
    private void contain(long pid, SpawnRequest request, ScopeCgroup cgroup, boolean atBirth, int procs)
            throws SpawnException {
        String failure = null;
        int errno = 0;
        // The marker first: one prlimit(2), microseconds after the exec. A move into a cgroup can take a kernel
        // grace period (milliseconds: cgroup migration synchronizes with every fork), and what the child forks
        // meanwhile is born outside; the marker it inherits lets the scope find and move it.
        if (request.marker() != 0) {
            int e = RttimeMarker.markSpawnedChild(pid, request.marker(), jvmRttimeHardLimit);
            if (e != 0 && e != Errno.ESRCH) {
                failure = "cannot set the scope's marker (prlimit RLIMIT_RTTIME): " + Errno.name(e);
                errno = e;
            }
        }
        if (failure == null && cgroup != null && !atBirth && request.marked() != null) {
            try {
                request.marked().accept(pid); // while the child's early forks still hang off it
            } catch (RuntimeException e) {
                // a look that failed: the look after the move, and the marker, still find what it forked
            }
        }
        if (failure == null && cgroup != null) {
            try {
                if (atBirth) {
                    placement().afterSpawn(pid, true, cgroup); // verifies the first child placed at birth
                } else {
                    cgroup.addSpawnedChild(pid, procs);
                }
            } catch (CgroupException e) {
                failure = e.getMessage();
                errno = e.errno();
            }
        }
        if (failure != null) {
            libc.kill((int) pid, SIGNALS.number(Signal.KILL));
            libc.waitpid((int) pid, new int[1], 0);
            throw new SpawnException(errno, Errno.name(errno), "the child was started but could not be contained, so "
                    + "it was killed: " + failure);
        }
    }

    private static int openProcs(ScopeCgroup cgroup) throws SpawnException {
        try {
            return cgroup.openProcs();
        } catch (CgroupException e) {
            throw new SpawnException(e.errno(), e.errnoName(), "cannot place the child in its cgroup: " + e.getMessage());
        }
    }

    /** Asks posix_spawn to start the child in {@code cgroup} where glibc can; a refusal leaves the move after spawn. */
    private boolean requestAtBirth(long attr, ScopeCgroup cgroup) {
        try {
            return placement().requestAtBirth(attr, cgroup);
        } catch (CgroupException e) {
            return false; // the directory could not be opened: the move after spawn names the problem, if any
        }
    }

    private CgroupSpawnPlacement placement() {
        CgroupSpawnPlacement p = placement;
        if (p == null) {
            p = new CgroupSpawnPlacement(libc);
            placement = p;
        }
        return p;
    }

    private void check(int rc, String what) throws SpawnException {
        if (rc != 0) {
            throw new SpawnException(rc, Errno.name(rc), what + " failed: " + libc.strerror(rc));
        }
    }

    private static byte[] cString(String s) {
        return LibC.cString(s);
    }

    /**
     * An environment entry {@code KEY=value}, NUL-terminated. UTF-8, except for a variable the JVM
     * inherited with bytes its own decoding could not keep (a JVM in the C locale shows non-ASCII bytes
     * as '?' or U+FFFD in {@code System.getenv}): while its value is still the one the JVM decoded, the
     * child gets the exact bytes the JVM got, as the JDK's own children do.
     */
    private static byte[] environmentEntry(String entry) {
        Map<String, byte[]> lossy = InheritedEnvironment.LOSSY;
        if (!lossy.isEmpty()) {
            int eq = entry.indexOf('=');
            String key = entry.substring(0, eq);
            byte[] raw = lossy.get(key);
            if (raw != null && entry.substring(eq + 1).equals(System.getenv(key))) {
                byte[] k = key.getBytes(StandardCharsets.UTF_8);
                byte[] out = new byte[k.length + 1 + raw.length + 1]; // zeroed: the NUL is there
                System.arraycopy(k, 0, out, 0, k.length);
                out[k.length] = '=';
                System.arraycopy(raw, 0, out, k.length + 1, raw.length);
                return out;
            }
        }
        return cString(entry);
    }

    /** The variables of the JVM's own environment whose decoded value does not encode back to its bytes. */
    private static final class InheritedEnvironment {
        static final Map<String, byte[]> LOSSY = read();

        private static Map<String, byte[]> read() {
            byte[] all;
            try {
                all = Files.readAllBytes(Path.of("/proc/self/environ")); // what the JVM started with
            } catch (IOException e) {
                return Map.of();
            }
            Map<String, byte[]> out = new java.util.HashMap<>();
            int start = 0;
            for (int i = 0; i <= all.length; i++) {
                if (i == all.length || all[i] == 0) {
                    int eq = -1;
                    for (int j = start; j < i; j++) {
                        if (all[j] == '=') {
                            eq = j;
                            break;
                        }
                    }
                    if (eq > start) {
                        String key = new String(all, start, eq - start, StandardCharsets.UTF_8);
                        byte[] value = java.util.Arrays.copyOfRange(all, eq + 1, i);
                        String decoded = System.getenv(key);
                        if (decoded != null && !java.util.Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), value)) {
                            out.put(key, value);
                        }
                    }
                    start = i + 1;
                }
            }
            return Map.copyOf(out);
        }
    }

    /**
     * argv and envp: two NULL-terminated {@code char*[]} tables (argv's first, envp's right after it)
     * followed by all their NUL-terminated UTF-8 strings, in one native allocation the caller frees.
     */
    private static long stringArrays(List<String> argv, List<String> envp) {
        int count = argv.size() + envp.size();
        byte[][] encoded = new byte[count][];
        long tables = (long) (count + 2) * Long.BYTES;
        long total = tables;
        for (int i = 0; i < count; i++) {
            encoded[i] = i < argv.size() ? cString(argv.get(i)) : environmentEntry(envp.get(i - argv.size()));
            total += encoded[i].length;
        }
        long block = LibC.allocate(total); // zeroed: both tables' NULL terminators are already there
        long slot = block;
        long text = block + tables;
        for (int i = 0; i < count; i++) {
            if (i == argv.size()) {
                slot += Long.BYTES; // argv's NULL
            }
            LibC.MEMORY.putByteArray(text, encoded[i], 0, encoded[i].length);
            LibC.MEMORY.putAddress(slot, text);
            slot += Long.BYTES;
            text += encoded[i].length;
        }
        return block;
    }

    // ---------------------------------------------------------------- signals and exits

    @Override
    public boolean pidfdSupported() {
        return pidfd;
    }

    @Override
    public int openPidfd(long pid) {
        if (!pidfd) {
            return -1;
        }
        int fd = libc.pidfd_open((int) pid, 0); // pidfds are always close-on-exec
        return fd >= 0 ? fd : -1;
    }

    @Override
    public boolean pidfdExited(int pidfd) {
        long fds = LibC.allocate(8); // struct pollfd { int fd; short events, revents; }
        try {
            LibC.MEMORY.putInt(fds, pidfd);
            LibC.MEMORY.putShort(fds + 4, (short) 1); // POLLIN: readable once the process has exited
            return libc.poll(fds, 1, 0) > 0;
        } finally {
            LibC.free(fds);
        }
    }

    @Override
    public SignalResult signalPidfd(int pidfd, Signal signal) {
        return result(libc.pidfd_send_signal(pidfd, SIGNALS.number(signal)));
    }

    @Override
    public SignalResult signalPid(long pid, Signal signal) {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing kill(" + pid + "): not a single process");
        }
        return result(libc.kill((int) pid, SIGNALS.number(signal)));
    }

    @Override
    public SignalResult signalGroup(long pgid, Signal signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing killpg(" + pgid + ")");
        }
        return result(libc.kill((int) -pgid, SIGNALS.number(signal)));
    }

    private SignalResult result(int rc) {
        if (rc == 0) {
            return SignalResult.DELIVERED;
        }
        int e = errno();
        if (e == Errno.ESRCH) {
            return SignalResult.NO_SUCH_PROCESS;
        }
        if (e == Errno.EPERM) {
            return SignalResult.NOT_PERMITTED;
        }
        throw new IllegalArgumentException("signal failed: " + Errno.name(e) + " (" + libc.strerror(e) + ")");
    }

    @Override
    public Optional<ExitStatus> peekExit(int pidfd) {
        return waitid(P_PIDFD, pidfd);
    }

    @Override
    public Optional<ExitStatus> peekExitByPid(long pid) {
        return waitid(P_PID, (int) pid);
    }

    private Optional<ExitStatus> waitid(int idType, int id) {
        long info = exitedInfo(idType, id, 0);
        if (info <= 0) { // still running, or not a child of ours
            return Optional.empty();
        }
        int code = LibC.MEMORY.getInt(info + 8);    // si_code
        int status = LibC.MEMORY.getInt(info + 24); // si_status
        return Optional.of(switch (code) {
            case CLD_EXITED -> ExitStatus.exited(status & 0xff);
            case CLD_KILLED -> ExitStatus.killedBySignalNumber(status, false);
            case CLD_DUMPED -> ExitStatus.killedBySignalNumber(status, true);
            default -> ExitStatus.killedBySignalNumber(status > 0 ? status : 9, false);
        });
    }

    /** {@code waitid(P_ALL, WNOWAIT)}: one system call, where reading the JVM's children costs one read per thread. */
    @Override
    public boolean mayHaveZombieChild() {
        long info = exitedInfo(P_ALL, 0, WALL); // __WALL: children whose exit signal is not SIGCHLD count too
        return info < 0 ? LibC.errno() != Errno.ECHILD : info > 0; // ECHILD: no children at all; else cannot say
    }

    /**
     * {@code waitid(WEXITED | WNOHANG | WNOWAIT | extra)}, which reaps nothing, into this thread's zeroed
     * {@code siginfo_t}: its address when a child it names has exited, 0 when none has (si_pid stays 0), -1 when
     * waitid failed (errno says why).
     */
    private long exitedInfo(int idType, int id, int extra) {
        long info = LibC.struct(SIGINFO_SIZE);
        if (libc.waitid(idType, id, info, WEXITED | WNOHANG | WNOWAIT | extra) != 0) {
            return -1;
        }
        return LibC.MEMORY.getInt(info + 16) != 0 ? info : 0; // si_pid
    }

    @Override
    public Optional<ExitStatus> reap(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("refusing waitpid(" + pid + "): only named children are reaped");
        }
        int[] status = new int[1];
        int rc = libc.waitpid((int) pid, status, WNOHANG);
        if (rc != pid) {
            return Optional.empty();
        }
        int s = status[0];
        int sig = s & 0x7f;
        if (sig == 0) {
            return Optional.of(ExitStatus.exited((s >> 8) & 0xff));
        }
        return Optional.of(ExitStatus.killedBySignalNumber(sig, (s & 0x80) != 0));
    }

    @Override
    public int moveToOwnGroup(long pid) {
        return libc.setpgid((int) pid, (int) pid) == 0 ? 0 : errno();
    }

    @Override
    public int mark(long pid, long marker) {
        return RttimeMarker.mark(pid, marker);
    }

    @Override
    public long newMarker() {
        long self = libc.getpid();
        // Read (and so bind prlimit) before the first spawn that needs it: after the spawn, every microsecond
        // until the marker is set is one in which the child may fork unmarked.
        jvmRttimeHardLimit = RttimeMarker.hardLimitOf(self);
        long start = ProcFs.stat(self).map(dev.managedprocesses.internal.os.ProcStat::startTime).orElse(0L);
        return RttimeMarker.valueFor(self, start, markers.incrementAndGet());
    }

    @Override
    public boolean makeChildSubreaper() {
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
    }

    // ---------------------------------------------------------------- descriptors

    @Override
    public int read(int fd, byte[] buffer) {
        long n = libc.read(fd, buffer, buffer.length);
        if (n >= 0) {
            return (int) n;
        }
        int e = errno();
        return e == Errno.EAGAIN || e == Errno.EINTR ? -1 : 0;
    }

    @Override
    public void write(int fd, byte[] buffer, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            long n = libc.write(fd, buffer, offset + done, length - done);
            if (n < 0) {
                int e = errno();
                if (e == Errno.EINTR) {
                    continue;
                }
                throw new IOException("write to the process's stdin failed: " + libc.strerror(e)
                        + (e == 32 ? " (the process has closed its stdin or exited)" : ""));
            }
            done += (int) n;
        }
    }

    @Override
    public void setNonBlocking(int fd) {
        libc.fcntl(fd, F_SETFL, libc.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    }

    @Override
    public int tryWrite(int fd, byte[] buffer, int offset, int length) throws IOException {
        while (true) {
            long n = libc.write(fd, buffer, offset, length);
            if (n >= 0) {
                return (int) n;
            }
            int e = errno();
            if (e == Errno.EAGAIN) {
                return 0;
            }
            if (e != Errno.EINTR) {
                throw new IOException(Errno.name(e) + " (" + libc.strerror(e) + ")");
            }
        }
    }

    @Override
    public Optional<String> descriptorTarget(int fd) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close(int fd) {
        if (fd >= 0) {
            libc.close(fd);
        }
    }

    @Override
    public Poller openPoller() {
        return new LinuxPoller(libc);
    }
}
