package dev.managedprocesses.benchmarks;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The floor: the fewest system calls that do the job, bound straight to glibc with jnr-ffi (the
 * benchmarks' own binding; the library's is internal). {@code posix_spawnp} into a new process group,
 * {@code kill(-pgid)} and a blocking {@code waitpid(pid)}: no identity checks, no pidfds, no
 * {@code /proc}, no output capture, no verification. Nothing safe can be faster than this.
 */
public final class RawPosix {
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final int O_RDWR = 2;
    private static final int EINTR = 4;

    /** The slice of glibc the floor needs. */
    public interface LibC {
        int posix_spawnp(@Out int[] pid, @In byte[] file, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);

        int posix_spawnattr_init(Pointer attr);

        int posix_spawnattr_setflags(Pointer attr, short flags);

        int posix_spawnattr_setpgroup(Pointer attr, int pgroup);

        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_addopen(Pointer actions, int fd, @In byte[] path, int oflag, int mode);

        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

        int kill(int pid, int signal);

        int waitpid(int pid, @Out int[] status, int options);
    }

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    /** Built once and kept: posix_spawn copies nothing, so these must stay reachable. */
    private static final Pointer ATTR_OWN_GROUP;
    private static final Pointer ATTR_DEFAULT;
    private static final Pointer ACTIONS;
    private static final Pointer ENVP;

    static {
        ATTR_OWN_GROUP = Memory.allocateDirect(RUNTIME, 1024, true);
        check(LIBC.posix_spawnattr_init(ATTR_OWN_GROUP), "posix_spawnattr_init");
        check(LIBC.posix_spawnattr_setflags(ATTR_OWN_GROUP, POSIX_SPAWN_SETPGROUP), "setflags");
        check(LIBC.posix_spawnattr_setpgroup(ATTR_OWN_GROUP, 0), "setpgroup");
        ATTR_DEFAULT = Memory.allocateDirect(RUNTIME, 1024, true);
        check(LIBC.posix_spawnattr_init(ATTR_DEFAULT), "posix_spawnattr_init");
        // stdio to /dev/null, nothing else inherited: the child never holds the harness's pipes
        ACTIONS = Memory.allocateDirect(RUNTIME, 1024, true);
        check(LIBC.posix_spawn_file_actions_init(ACTIONS), "posix_spawn_file_actions_init");
        for (int fd = 0; fd < 3; fd++) {
            check(LIBC.posix_spawn_file_actions_addopen(ACTIONS, fd, cString("/dev/null"), O_RDWR, 0), "addopen");
        }
        check(LIBC.posix_spawn_file_actions_addclosefrom_np(ACTIONS, 3), "addclosefrom_np");
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : Benchmarks.childEnvironment().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        ENVP = stringArray(env);
    }

    private RawPosix() {
    }

    /** Spawns {@code argv} (stdio on /dev/null), optionally as the leader of a new process group; returns the pid. */
    public static int spawn(boolean ownGroup, String... argv) {
        int[] pid = new int[1];
        Pointer args = stringArray(List.of(argv));
        int err = LIBC.posix_spawnp(pid, cString(argv[0]), ACTIONS, ownGroup ? ATTR_OWN_GROUP : ATTR_DEFAULT, args, ENVP);
        Reference.reachabilityFence(args); // its memory is freed when it is collected
        check(err, "posix_spawnp " + argv[0]);
        return pid[0];
    }

    /** {@code killpg(pgid, signal)}, as {@code kill(-pgid, signal)}. */
    public static void killGroup(int pgid, int signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing killpg(" + pgid + ")");
        }
        LIBC.kill(-pgid, signal);
    }

    /**
     * The teardown floor of section (4) and of {@link SameJvmTeardown}: {@code killpg(SIGTERM)} to every group, then
     * a blocking {@code waitpid} for every leader, each marked in {@code reaped} (null: not kept) once reaped. Returns
     * the sum of the statuses, for JMH to consume.
     */
    public static int killGroupsThenWaitEach(int[] pgids, boolean[] reaped) {
        for (int pid : pgids) {
            killGroup(pid, Benchmarks.SIGTERM);
        }
        int sum = 0;
        for (int i = 0; i < pgids.length; i++) {
            sum += waitpid(pgids[i]);
            if (reaped != null) {
                reaped[i] = true;
            }
        }
        return sum;
    }

    /** {@code kill(pid, signal)}. */
    public static void kill(int pid, int signal) {
        if (pid <= 1) {
            throw new IllegalArgumentException("refusing kill(" + pid + ")");
        }
        LIBC.kill(pid, signal);
    }

    /** Blocking {@code waitpid(pid, &status, 0)}; returns the raw status. Only ever for a pid we spawned here. */
    public static int waitpid(int pid) {
        int[] status = new int[1];
        while (true) {
            int rc = LIBC.waitpid(pid, status, 0);
            if (rc == pid) {
                return status[0];
            }
            if (rc < 0 && RUNTIME.getLastError() != EINTR) {
                throw new IllegalStateException("waitpid(" + pid + ") failed: errno " + RUNTIME.getLastError());
            }
        }
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new IllegalStateException(what + " failed: errno " + rc);
        }
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    /** A NULL-terminated {@code char *[]} and its strings, in one native block. */
    private static Pointer stringArray(List<String> strings) {
        int size = RUNTIME.addressSize();
        List<byte[]> bytes = new ArrayList<>(strings.size());
        long total = (long) (strings.size() + 1) * size;
        for (String s : strings) {
            byte[] z = cString(s);
            bytes.add(z);
            total += z.length;
        }
        Pointer block = Memory.allocateDirect(RUNTIME, (int) total, false);
        long offset = (long) (strings.size() + 1) * size;
        for (int i = 0; i < bytes.size(); i++) {
            byte[] z = bytes.get(i);
            block.put(offset, z, 0, z.length);
            block.putAddress((long) i * size, block.address() + offset);
            offset += z.length;
        }
        block.putAddress((long) strings.size() * size, 0L);
        return block;
    }
}
