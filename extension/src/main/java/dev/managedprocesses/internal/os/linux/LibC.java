package dev.managedprocesses.internal.os.linux;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Platform;
import com.kenai.jffi.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The slice of glibc this library calls, through jffi's {@link Invoker} directly.
 *
 * <p>Not jnr-posix: it cannot set a spawn signal mask or default dispositions, loses posix_spawn's
 * errno, has no pidfd, epoll, waitid or prctl, and its factory costs hundreds of milliseconds to load.
 * Not jnr-ffi either: binding an interface generates its stubs with ASM at load time, a cost every test
 * JVM would pay on its first {@code start()} (measured in BENCHMARKS.md,
 * "cold start"). Here a function is a symbol address and a {@link CallContext} (a prepared libffi call
 * interface), made the first time it is called; every argument travels as a {@code long} (pointers are
 * native addresses from {@link #allocate}); errno is saved by jffi right after the call.
 *
 * <p>Java arrays are copied to and from native memory by the wrappers that take them
 * ({@link #pipe2}, {@link #waitpid}, {@link #read}, ...): the copies are a few bytes, or at most one
 * pipe read, and keep this class free of pinning rules.
 */
final class LibC {
    private static final Invoker INVOKER = Invoker.getInstance();
    static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final Type I = Type.SINT32;
    private static final Type U = Type.UINT32;
    private static final Type L = Type.SINT64;
    private static final Type S = Type.SINT16;
    private static final Type P = Type.POINTER;
    private static final Type SIZE = Type.UINT64;
    private static final int SYS_PIDFD_SEND_SIGNAL = 424; // the same number on every architecture
    private static final int SYS_PIDFD_OPEN = 434;
    /** Test hook: {@code -Dmanagedprocesses.internal.pidfdSyscall=true} takes glibc-before-2.36's path. */
    private static final boolean PIDFD_SYSCALL = Boolean.getBoolean("managedprocesses.internal.pidfdSyscall");

    private final Library library;

    /** A libc function: its address and call interface, bound on first use. */
    private final class Fn {
        private final String name;
        private final Type returns;
        private final Type[] parameters;
        private final int fixed;
        private volatile CallContext context;
        private long address;

        Fn(String name, Type returns, int fixed, Type... parameters) {
            this.name = name;
            this.returns = returns;
            this.parameters = parameters;
            this.fixed = fixed;
        }

        Fn(String name, Type returns, Type... parameters) {
            this(name, returns, -1, parameters);
        }

        /** Whether libc has this symbol (glibc before 2.36 has no pidfd wrappers). */
        boolean exists() {
            return library.getSymbolAddress(name) != 0;
        }

        private CallContext bind() {
            CallContext c = context;
            if (c == null) {
                synchronized (this) {
                    c = context;
                    if (c == null) {
                        long a = library.getSymbolAddress(name);
                        if (a == 0) {
                            throw new UnsatisfiedLinkError("libc has no " + name + ": " + Library.getLastError());
                        }
                        address = a;
                        c = fixed < 0
                                ? CallContext.getCallContext(returns, parameters, CallingConvention.DEFAULT, true)
                                : CallContext.getCallContext(returns, fixed, parameters, CallingConvention.DEFAULT, true);
                        context = c; // volatile write publishes address too
                    }
                }
            }
            return c;
        }

        long call() {
            CallContext c = bind();
            return INVOKER.invokeN0(c, address);
        }

        long call(long a) {
            CallContext c = bind();
            return INVOKER.invokeN1(c, address, a);
        }

        long call(long a, long b) {
            CallContext c = bind();
            return INVOKER.invokeN2(c, address, a, b);
        }

        long call(long a, long b, long c3) {
            CallContext c = bind();
            return INVOKER.invokeN3(c, address, a, b, c3);
        }

        long call(long a, long b, long c3, long d) {
            CallContext c = bind();
            return INVOKER.invokeN4(c, address, a, b, c3, d);
        }

        long call(long a, long b, long c3, long d, long e) {
            CallContext c = bind();
            return INVOKER.invokeN5(c, address, a, b, c3, d, e);
        }

        long call(long a, long b, long c3, long d, long e, long f) {
            CallContext c = bind();
            return INVOKER.invokeN6(c, address, a, b, c3, d, e, f);
        }
    }

    private final Fn posixSpawnp = new Fn("posix_spawnp", I, P, P, P, P, P, P);
    private final Fn spawnattrInit = new Fn("posix_spawnattr_init", I, P);
    private final Fn spawnattrDestroy = new Fn("posix_spawnattr_destroy", I, P);
    private final Fn spawnattrSetflags = new Fn("posix_spawnattr_setflags", I, P, S);
    private final Fn spawnattrSetpgroup = new Fn("posix_spawnattr_setpgroup", I, P, I);
    private final Fn spawnattrSetsigmask = new Fn("posix_spawnattr_setsigmask", I, P, P);
    private final Fn spawnattrSetsigdefault = new Fn("posix_spawnattr_setsigdefault", I, P, P);
    private final Fn actionsInit = new Fn("posix_spawn_file_actions_init", I, P);
    private final Fn actionsDestroy = new Fn("posix_spawn_file_actions_destroy", I, P);
    private final Fn actionsAdddup2 = new Fn("posix_spawn_file_actions_adddup2", I, P, I, I);
    private final Fn actionsAddopen = new Fn("posix_spawn_file_actions_addopen", I, P, I, P, I, U);
    private final Fn actionsAddchdir = new Fn("posix_spawn_file_actions_addchdir_np", I, P, P);
    private final Fn actionsAddclosefrom = new Fn("posix_spawn_file_actions_addclosefrom_np", I, P, I);
    private final Fn pipe2 = new Fn("pipe2", I, P, I);
    private final Fn fcntl = new Fn("fcntl", I, 2, I, I, I);
    private final Fn close = new Fn("close", I, I);
    private final Fn read = new Fn("read", L, I, P, SIZE);
    private final Fn write = new Fn("write", L, I, P, SIZE);
    private final Fn getpid = new Fn("getpid", I);
    private final Fn getppid = new Fn("getppid", I);
    private final Fn getpgid = new Fn("getpgid", I, I);
    private final Fn getsid = new Fn("getsid", I, I);
    private final Fn setpgid = new Fn("setpgid", I, I, I);
    private final Fn kill = new Fn("kill", I, I, I);
    private final Fn waitpid = new Fn("waitpid", I, I, P, I);
    private final Fn waitid = new Fn("waitid", I, U, U, P, I);
    private final Fn pidfdOpen = new Fn("pidfd_open", I, I, U);
    private final Fn pidfdSendSignal = new Fn("pidfd_send_signal", I, I, I, P, U);
    private final Fn syscall = new Fn("syscall", L, 1, L, L, L, L, L);
    private final Fn prctl = new Fn("prctl", I, 1, I, L, L, L, L);
    private final Fn sysconf = new Fn("sysconf", L, I);
    private final Fn clockGettime = new Fn("clock_gettime", I, I, P);
    private final Fn strerror = new Fn("strerror", P, I);
    private final Fn epollCreate1 = new Fn("epoll_create1", I, I);
    private final Fn epollCtl = new Fn("epoll_ctl", I, I, I, I, P);
    private final Fn epollWait = new Fn("epoll_wait", I, I, P, I, I);
    private final Fn eventfd = new Fn("eventfd", I, U, I);
    private final Fn poll = new Fn("poll", I, P, SIZE, I);
    private final Fn open = new Fn("open", I, 2, P, I, U);
    private final Fn pread = new Fn("pread", L, I, P, SIZE, L);
    private final Fn mkdir = new Fn("mkdir", I, P, U);
    private final Fn rmdir = new Fn("rmdir", I, P);
    private final Fn access = new Fn("access", I, P, I);
    private final Fn prlimit = new Fn("prlimit", I, I, I, P, P);
    private final Fn spawnattrGetflags = new Fn("posix_spawnattr_getflags", I, P, P);
    private final Fn spawnattrSetcgroup = new Fn("posix_spawnattr_setcgroup_np", I, P, I);

    private final boolean pidfdWrappers;

    private LibC(Library library) {
        this.library = library;
        this.pidfdWrappers = !PIDFD_SYSCALL && pidfdOpen.exists() && pidfdSendSignal.exists();
    }

    /** Loads jffi's native stub and opens libc; throws {@link UnsatisfiedLinkError} when it cannot. */
    static LibC load() {
        // argv/envp tables and struct layouts (epoll_event, siginfo_t) here are those of LP64 Linux.
        int bits = Platform.getPlatform().addressSize();
        if (bits != 64) {
            throw new UnsupportedOperationException("managed-processes needs a 64-bit JVM on Linux; this one has "
                    + bits + "-bit addresses (os.arch " + System.getProperty("os.arch") + ")");
        }
        Library library = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.GLOBAL);
        if (library == null) {
            throw new UnsatisfiedLinkError("cannot open libc.so.6: " + Library.getLastError());
        }
        return new LibC(library);
    }

    /** errno of the last call made on this thread. */
    static int errno() {
        return LastError.getInstance().get();
    }

    // ---------------------------------------------------------------- native memory

    /** {@code size} bytes of zeroed native memory; the caller {@link #free}s it. */
    static long allocate(long size) {
        return allocate(size, true);
    }

    private static long allocate(long size, boolean clear) {
        long address = MEMORY.allocateMemory(size, clear);
        if (address == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes of native memory");
        }
        return address;
    }

    static void free(long address) {
        if (address != 0) {
            MEMORY.freeMemory(address);
        }
    }

    /** A NUL-terminated UTF-8 copy of {@code s}, whatever the JVM's default charset. */
    static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    /** {@code bytes} in fresh native memory; the caller {@link #free}s it. */
    static long copyOf(byte[] bytes) {
        long address = allocate(Math.max(1, bytes.length), false);
        MEMORY.putByteArray(address, bytes, 0, bytes.length);
        return address;
    }

    // ---------------------------------------------------------------- posix_spawn (errors are returned)

    /** Returns 0 and the child's pid in {@code pid[0]}, or an errno value. */
    int posix_spawnp(int[] pid, byte[] file, long fileActions, long attr, long argv, long envp) {
        long out = allocate(4);
        long path = copyOf(file);
        try {
            int rc = (int) posixSpawnp.call(out, path, fileActions, attr, argv, envp);
            pid[0] = MEMORY.getInt(out);
            return rc;
        } finally {
            free(path);
            free(out);
        }
    }

    int posix_spawnattr_init(long attr) {
        return (int) spawnattrInit.call(attr);
    }

    int posix_spawnattr_destroy(long attr) {
        return (int) spawnattrDestroy.call(attr);
    }

    int posix_spawnattr_setflags(long attr, short flags) {
        return (int) spawnattrSetflags.call(attr, flags);
    }

    int posix_spawnattr_setpgroup(long attr, int pgroup) {
        return (int) spawnattrSetpgroup.call(attr, pgroup);
    }

    int posix_spawnattr_setsigmask(long attr, long sigset) {
        return (int) spawnattrSetsigmask.call(attr, sigset);
    }

    int posix_spawnattr_setsigdefault(long attr, long sigset) {
        return (int) spawnattrSetsigdefault.call(attr, sigset);
    }

    int posix_spawn_file_actions_init(long actions) {
        return (int) actionsInit.call(actions);
    }

    int posix_spawn_file_actions_destroy(long actions) {
        return (int) actionsDestroy.call(actions);
    }

    int posix_spawn_file_actions_adddup2(long actions, int fd, int newfd) {
        return (int) actionsAdddup2.call(actions, fd, newfd);
    }

    /** glibc copies the path: it may be freed once this returns. */
    int posix_spawn_file_actions_addopen(long actions, int fd, byte[] path, int oflag, int mode) {
        long p = copyOf(path);
        try {
            return (int) actionsAddopen.call(actions, fd, p, oflag, mode);
        } finally {
            free(p);
        }
    }

    /** glibc copies the path: it may be freed once this returns. */
    int posix_spawn_file_actions_addchdir_np(long actions, byte[] path) {
        long p = copyOf(path);
        try {
            return (int) actionsAddchdir.call(actions, p);
        } finally {
            free(p);
        }
    }

    int posix_spawn_file_actions_addclosefrom_np(long actions, int from) {
        return (int) actionsAddclosefrom.call(actions, from);
    }

    // ---------------------------------------------------------------- descriptors

    int pipe2(int[] fds, int flags) {
        long out = allocate(8);
        try {
            int rc = (int) pipe2.call(out, flags);
            fds[0] = MEMORY.getInt(out);
            fds[1] = MEMORY.getInt(out + 4);
            return rc;
        } finally {
            free(out);
        }
    }

    /** fcntl with an int argument (F_GETFL, F_SETFL, ...); variadic, so bound as such. */
    int fcntl(int fd, int cmd, int arg) {
        return (int) fcntl.call(fd, cmd, arg);
    }

    int close(int fd) {
        return (int) close.call(fd);
    }

    /** read(2) into {@code buffer[0, count)}; returns what read(2) returns. */
    long read(int fd, byte[] buffer, int count) {
        long native_ = scratch(count);
        long n = read.call(fd, native_, count);
        if (n > 0) {
            MEMORY.getByteArray(native_, buffer, 0, (int) n);
        }
        return n;
    }

    /**
     * This thread's native scratch memory for {@link #read} and {@link #pread}, at least {@code size} bytes: a
     * direct buffer kept per thread (freed with it), where a malloc and free of up to 64 KiB per read cost the
     * reactor as much as the read of a short pipe itself. Reads are leaf calls: nothing else uses it meanwhile.
     */
    private static long scratch(int size) {
        ByteBuffer b = SCRATCH.get();
        if (b == null || b.capacity() < size) {
            b = ByteBuffer.allocateDirect(Math.max(size, SCRATCH_MIN));
            SCRATCH.set(b);
        }
        return MEMORY.getDirectBufferAddress(b);
    }

    private static final int SCRATCH_MIN = 4096;
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    /** The largest struct {@link #struct} hands out: a siginfo_t (128 bytes) with room to spare. */
    static final int STRUCT_MAX = 256;
    private static final ThreadLocal<ByteBuffer> STRUCT =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(STRUCT_MAX));

    /**
     * This thread's native memory for one struct a single call fills or reads (a siginfo_t, an epoll_event, a
     * timespec, a status word), {@code size} bytes zeroed: no malloc and free per exit notice, reap and
     * epoll_ctl. Leaf calls only, as {@link #scratch}; separate from it, so a read never overwrites a struct in use.
     */
    static long struct(int size) {
        if (size > STRUCT_MAX) {
            throw new IllegalArgumentException("struct of " + size + " bytes: at most " + STRUCT_MAX);
        }
        long address = MEMORY.getDirectBufferAddress(STRUCT.get());
        MEMORY.setMemory(address, size, (byte) 0);
        return address;
    }

    /** write(2) of {@code buffer[offset, offset + count)}; returns what write(2) returns. */
    long write(int fd, byte[] buffer, int offset, int count) {
        long native_ = allocate(Math.max(1, count), false);
        try {
            MEMORY.putByteArray(native_, buffer, offset, count);
            return write.call(fd, native_, count);
        } finally {
            free(native_);
        }
    }

    // ---------------------------------------------------------------- processes and signals

    int getpid() {
        return (int) getpid.call();
    }

    int getppid() {
        return (int) getppid.call();
    }

    int getpgid(int pid) {
        return (int) getpgid.call(pid);
    }

    int getsid(int pid) {
        return (int) getsid.call(pid);
    }

    int setpgid(int pid, int pgid) {
        return (int) setpgid.call(pid, pgid);
    }

    int kill(int pid, int signal) {
        return (int) kill.call(pid, signal);
    }

    int waitpid(int pid, int[] status, int options) {
        long out = struct(4);
        int rc = (int) waitpid.call(pid, out, options);
        status[0] = MEMORY.getInt(out);
        return rc;
    }

    int waitid(int idtype, int id, long siginfo, int options) {
        return (int) waitid.call(idtype, id, siginfo, options);
    }

    /** pidfd_open(2): glibc's wrapper where it has one (2.36+), else the raw system call. */
    int pidfd_open(int pid, int flags) {
        return pidfdWrappers ? (int) pidfdOpen.call(pid, flags)
                : (int) syscall.call(SYS_PIDFD_OPEN, pid, flags, 0, 0);
    }

    /** pidfd_send_signal(2) with no siginfo: glibc's wrapper where it has one, else the raw system call. */
    int pidfd_send_signal(int pidfd, int signal) {
        return pidfdWrappers ? (int) pidfdSendSignal.call(pidfd, signal, 0L, 0)
                : (int) syscall.call(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0);
    }

    int prctl(int option, long arg2, long arg3, long arg4, long arg5) {
        return (int) prctl.call(option, arg2, arg3, arg4, arg5);
    }

    long sysconf(int name) {
        return sysconf.call(name);
    }

    /** clock_gettime(2) of {@code clock}: nanoseconds, or -1 when it fails. */
    long clockNanos(int clock) {
        long timespec = struct(16);
        if ((int) clockGettime.call(clock, timespec) != 0) {
            return -1;
        }
        return MEMORY.getLong(timespec) * 1_000_000_000L + MEMORY.getLong(timespec + 8);
    }

    String strerror(int errnum) {
        long s = strerror.call(errnum);
        return s == 0 ? "errno " + errnum
                : new String(MEMORY.getZeroTerminatedByteArray(s, 1024), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- readiness

    int epoll_create1(int flags) {
        return (int) epollCreate1.call(flags);
    }

    int epoll_ctl(int epfd, int op, int fd, long event) {
        return (int) epollCtl.call(epfd, op, fd, event);
    }

    int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis) {
        return (int) epollWait.call(epfd, events, maxEvents, timeoutMillis);
    }

    int eventfd(int initval, int flags) {
        return (int) eventfd.call(initval, flags);
    }

    int poll(long fds, long nfds, int timeoutMillis) {
        return (int) poll.call(fds, nfds, timeoutMillis);
    }

    // ---------------------------------------------------------------- files with errno (cgroup v2)

    /** open(2) without O_CREAT (so no mode argument); returns the descriptor or -1 with errno saved. */
    int open(byte[] path, int flags) {
        long p = copyOf(path);
        try {
            return (int) open.call(p, flags, 0);
        } finally {
            free(p);
        }
    }

    /** pread(2) into {@code buffer[0, count)}; returns what pread(2) returns. */
    long pread(int fd, byte[] buffer, int count, long offset) {
        long native_ = scratch(count);
        long n = pread.call(fd, native_, count, offset);
        if (n > 0) {
            MEMORY.getByteArray(native_, buffer, 0, (int) n);
        }
        return n;
    }

    int mkdir(byte[] path, int mode) {
        long p = copyOf(path);
        try {
            return (int) mkdir.call(p, mode);
        } finally {
            free(p);
        }
    }

    int rmdir(byte[] path) {
        long p = copyOf(path);
        try {
            return (int) rmdir.call(p);
        } finally {
            free(p);
        }
    }

    /** access(2): 0 when the real uid may {@code mode} (W_OK = 2) the file, else -1 with errno saved. */
    int access(byte[] path, int mode) {
        long p = copyOf(path);
        try {
            return (int) access.call(p, mode);
        } finally {
            free(p);
        }
    }

    /**
     * prlimit(2) on {@code resource} of {@code pid}: sets {soft, hard} from {@code newLimit} when it is not
     * null, and stores the previous {soft, hard} into {@code oldLimit} when it is not null. Unsigned values
     * travel as longs: RLIM_INFINITY is -1.
     */
    int prlimit(int pid, int resource, long[] newLimit, long[] oldLimit) {
        long block = allocate(32); // two struct rlimit { rlim_t cur, max; }
        try {
            if (newLimit != null) {
                MEMORY.putLong(block, newLimit[0]);
                MEMORY.putLong(block + 8, newLimit[1]);
            }
            int rc = (int) prlimit.call(pid, resource, newLimit == null ? 0L : block, oldLimit == null ? 0L : block + 16);
            if (rc == 0 && oldLimit != null) {
                oldLimit[0] = MEMORY.getLong(block + 16);
                oldLimit[1] = MEMORY.getLong(block + 24);
            }
            return rc;
        } finally {
            free(block);
        }
    }

    int posix_spawnattr_getflags(long attr, short[] flags) {
        long out = allocate(2);
        try {
            int rc = (int) spawnattrGetflags.call(attr, out);
            flags[0] = MEMORY.getShort(out);
            return rc;
        } finally {
            free(out);
        }
    }

    /** Whether libc can place a spawned child in a cgroup at birth (glibc 2.39+: clone3 CLONE_INTO_CGROUP). */
    boolean hasSpawnattrSetcgroup() {
        return spawnattrSetcgroup.exists();
    }

    /** glibc 2.39+ only: check {@link #hasSpawnattrSetcgroup()} first. */
    int posix_spawnattr_setcgroup_np(long attr, int cgroupFd) {
        return (int) spawnattrSetcgroup.call(attr, cgroupFd);
    }
}
