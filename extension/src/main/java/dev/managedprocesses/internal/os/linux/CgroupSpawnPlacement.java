package dev.managedprocesses.internal.os.linux;

/**
 * Puts a spawned child into its scope's cgroup: at birth where glibc can (2.39+:
 * {@code posix_spawnattr_setcgroup_np} with the {@code POSIX_SPAWN_SETCGROUP} flag makes posix_spawn use
 * clone3 with {@code CLONE_INTO_CGROUP}, so the child is in the cgroup before its first instruction), else
 * right after {@code posix_spawn} returns. One instance per JVM.
 *
 * <p>For the spawn path ({@code LinuxProcesses.spawn}):
 * <pre>{@code
 * check(libc.posix_spawnattr_setflags(attr, flags), "setflags");
 * boolean atBirth = placement.requestAtBirth(attr, cgroup);      // after setflags: it adds a flag
 * int err = libc.posix_spawnp(pid, file, actions, attr, argv, envp);
 * if (err != 0 && atBirth && placement.retryWithoutAtBirth(attr, err)) {
 *     atBirth = false;
 *     err = libc.posix_spawnp(pid, file, actions, attr, argv, envp);
 * }
 * if (err != 0) throw ...;
 * placement.afterSpawn(pid[0], atBirth, cgroup);               // moves it unless it was placed at birth
 * }</pre>
 *
 * <p>Hazards, each handled beside the code named:
 * <ul>
 *   <li><b>The window after spawn</b> (glibc before 2.39, such as 2.36 on Debian 12): the child runs from
 *       the exec (the dynamic loader first) until {@link #afterSpawn} moves it; what it forks in that
 *       window is born outside. Small, but real under load: the other layers (process group, lineage,
 *       {@link RttimeMarker}) stay.</li>
 *   <li><b>No fallback in glibc</b>: when clone3 fails with {@code CLONE_INTO_CGROUP} (ENOSYS on kernels
 *       before 5.3, EINVAL before 5.7, EPERM or ENOSYS from a seccomp profile that refuses clone3), glibc's
 *       posix_spawn fails instead of forking the old way. {@link #retryWithoutAtBirth} clears the flag,
 *       says to spawn again, and for those errors turns placement at birth off for this JVM.</li>
 *   <li><b>A flag taken but not honoured</b> would leave the child outside with no error: the first child
 *       placed at birth is checked in {@code /proc/PID/cgroup} ({@link #afterSpawn}); found outside, it is
 *       moved and placement at birth is turned off.</li>
 * </ul>
 */
public final class CgroupSpawnPlacement {
    /** glibc's {@code posix/spawn.h} (2.39+, {@code __USE_GNU}): {@code #define POSIX_SPAWN_SETCGROUP 0x100}. */
    static final short POSIX_SPAWN_SETCGROUP = 0x100;

    /** Where a child ended up. */
    public enum Placement {
        /** clone3 put it in the cgroup before its first instruction. */
        AT_BIRTH,
        /** Moved in right after posix_spawn returned. */
        MOVED_AFTER_SPAWN,
        /** Gone before it could be moved (ESRCH). */
        GONE
    }

    private final LibC libc;
    private volatile boolean atBirth;
    private volatile boolean verified;
    private volatile String mode;

    CgroupSpawnPlacement(LibC libc) {
        this.libc = libc;
        this.atBirth = libc.hasSpawnattrSetcgroup();
        this.mode = atBirth ? "at birth (clone3 CLONE_INTO_CGROUP, through glibc's posix_spawnattr_setcgroup_np)"
                : "moved right after posix_spawn (this glibc has no posix_spawnattr_setcgroup_np, added in 2.39)";
    }

    /** The placement for this JVM's libc. */
    public static CgroupSpawnPlacement create() {
        return new CgroupSpawnPlacement(CgroupFiles.libc());
    }

    /** Whether children are placed at birth (libc has the symbol, and nothing has turned it off since). */
    public boolean atBirthAvailable() {
        return atBirth;
    }

    /** How children get into their cgroup here, and why, for the one line that states the mechanism. */
    public String describe() {
        return mode;
    }

    /**
     * Asks posix_spawn to create the child in {@code cgroup}: adds {@code POSIX_SPAWN_SETCGROUP} to the flags
     * already set on {@code attr} (call it after {@code posix_spawnattr_setflags}) and sets the cgroup's
     * directory descriptor. Returns false, changing nothing, where placement at birth is unavailable.
     *
     * @param attr the address of an initialised {@code posix_spawnattr_t}
     */
    public boolean requestAtBirth(long attr, ScopeCgroup cgroup) throws CgroupException {
        if (!atBirth) {
            return false;
        }
        int fd = cgroup.directoryFd();
        short[] flags = new short[1];
        int rc = libc.posix_spawnattr_getflags(attr, flags);
        if (rc == 0) {
            rc = libc.posix_spawnattr_setcgroup_np(attr, fd);
        }
        if (rc == 0) {
            rc = libc.posix_spawnattr_setflags(attr, (short) (flags[0] | POSIX_SPAWN_SETCGROUP));
        }
        if (rc != 0) {
            turnOff("posix_spawnattr with POSIX_SPAWN_SETCGROUP failed: " + Errno.name(rc));
            libc.posix_spawnattr_setflags(attr, (short) (flags[0] & ~POSIX_SPAWN_SETCGROUP));
            return false;
        }
        return true;
    }

    /**
     * After posix_spawn failed with {@code spawnError} on attributes prepared by {@link #requestAtBirth}:
     * whether to spawn again without placement at birth (the flag is then cleared on {@code attr}). Errors
     * that clone3 gives for {@code CLONE_INTO_CGROUP} itself (ENOSYS, EINVAL, EPERM) also turn placement at
     * birth off for this JVM; the cgroup errors a move would give too (EACCES, EBUSY, EOPNOTSUPP, ENODEV)
     * are left to the move after spawn, which names them. An exec error among these (EACCES for a file that
     * is not executable) just fails a second time.
     */
    public boolean retryWithoutAtBirth(long attr, int spawnError) {
        boolean retry = switch (spawnError) {
            case Errno.ENOSYS, Errno.EINVAL, Errno.EPERM -> {
                turnOff("posix_spawn with POSIX_SPAWN_SETCGROUP failed with " + Errno.name(spawnError)
                        + " (no clone3 CLONE_INTO_CGROUP in this kernel, or a seccomp profile refuses clone3)");
                yield true;
            }
            case Errno.EACCES, Errno.EBUSY, Errno.EOPNOTSUPP, Errno.ENODEV -> true;
            default -> false;
        };
        if (retry) {
            short[] flags = new short[1];
            if (libc.posix_spawnattr_getflags(attr, flags) == 0) {
                libc.posix_spawnattr_setflags(attr, (short) (flags[0] & ~POSIX_SPAWN_SETCGROUP));
            }
        }
        return retry;
    }

    /**
     * Right after a successful spawn of the JVM's child {@code pid}: moves it into {@code cgroup} unless
     * it was placed at birth ({@code requestedAtBirth}, what {@link #requestAtBirth} returned). The first
     * child placed at birth is checked; found outside, it is moved, and placement at birth is off from
     * then on. A child that already exited (a zombie) counts as moved: the kernel accepts its pid and
     * moves nothing ({@link ScopeCgroup#addSpawnedChild}).
     */
    public Placement afterSpawn(long pid, boolean requestedAtBirth, ScopeCgroup cgroup) throws CgroupException {
        if (requestedAtBirth) {
            if (verified) {
                return Placement.AT_BIRTH;
            }
            java.util.Optional<String> where = CgroupFiles.cgroupOf(pid);
            if (where.isEmpty() || CgroupFiles.isWithin(where.get(), cgroup.cgroupPath())) {
                verified = where.isPresent();
                return Placement.AT_BIRTH;
            }
            turnOff("a child spawned with POSIX_SPAWN_SETCGROUP was born in " + where.get() + ", not in "
                    + cgroup.cgroupPath());
        }
        return cgroup.addSpawnedChild(pid) ? Placement.MOVED_AFTER_SPAWN : Placement.GONE;
    }

    private void turnOff(String why) {
        atBirth = false;
        mode = "moved right after posix_spawn (" + why + ")";
    }
}
