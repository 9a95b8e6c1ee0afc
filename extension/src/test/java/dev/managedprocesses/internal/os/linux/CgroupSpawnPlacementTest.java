package dev.managedprocesses.internal.os.linux;

import static dev.managedprocesses.internal.os.linux.CgroupFixture.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.testing.Proc;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Placing a spawned child in its cgroup: at birth with glibc 2.39+, else right after the spawn. This
 * machine's glibc (2.36) takes the second path; the first runs where a newer glibc is installed.
 */
class CgroupSpawnPlacementTest {
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final int ATTR_SIZE = 1024; // posix_spawnattr_t is 336 bytes in glibc

    @Test
    void placement_at_birth_is_offered_exactly_where_glibc_is_2_39_or_later() throws Exception {
        Process getconf = new ProcessBuilder("getconf", "GNU_LIBC_VERSION").start();
        String version = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(getconf.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assumeTrue(version.startsWith("glibc "), "not glibc: " + version);
        String[] v = version.substring(6).split("\\.");
        boolean from239 = Integer.parseInt(v[0]) > 2 || (Integer.parseInt(v[0]) == 2 && Integer.parseInt(v[1]) >= 39);

        CgroupSpawnPlacement placement = CgroupSpawnPlacement.create();

        assertThat(placement.atBirthAvailable()).as(version).isEqualTo(from239);
        assertThat(placement.describe()).contains(from239 ? "at birth" : "no posix_spawnattr_setcgroup_np, added in 2.39");
    }

    /**
     * The path this machine has: placement at birth where glibc offers it (2.39+), else the move right after
     * the spawn. One test, not two that skip each other: each machine checks the path it will run.
     */
    @Test
    void the_child_is_placed_at_birth_where_glibc_can_else_moved_right_after_the_spawn() throws Exception {
        if (CgroupSpawnPlacement.create().atBirthAvailable()) {
            placementAtBirthPutsTheChildInTheCgroupFromItsFirstInstruction();
        } else {
            withoutPlacementAtBirthTheAttributesStayAndTheChildIsMovedAfterSpawn();
        }
    }

    private void withoutPlacementAtBirthTheAttributesStayAndTheChildIsMovedAfterSpawn() throws Exception {
        try (CgroupFixture f = CgroupFixture.open()) {
            ScopeCgroup cg = f.scope();
            CgroupSpawnPlacement placement = CgroupSpawnPlacement.create();
            LibC libc = CgroupFiles.libc();
            long attr = LibC.allocate(ATTR_SIZE);
            try {
                assertThat(libc.posix_spawnattr_init(attr)).isZero();
                assertThat(libc.posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP)).isZero();

                assertThat(placement.requestAtBirth(attr, cg)).isFalse();

                short[] flags = new short[1];
                assertThat(libc.posix_spawnattr_getflags(attr, flags)).isZero();
                assertThat(flags[0]).isEqualTo(POSIX_SPAWN_SETPGROUP);
            } finally {
                libc.posix_spawnattr_destroy(attr);
                LibC.free(attr);
            }
            Process child = f.start("sleep", "300");

            assertThat(placement.afterSpawn(child.pid(), false, cg)).isEqualTo(CgroupSpawnPlacement.Placement.MOVED_AFTER_SPAWN);

            assertThat(cg.contains(child.pid())).isTrue();
            long noSuchPid = Long.parseLong(ProcFs.text("/proc/sys/kernel/pid_max").orElseThrow().trim()) + 1;
            assertThat(placement.afterSpawn(noSuchPid, false, cg)).isEqualTo(CgroupSpawnPlacement.Placement.GONE);
        }
    }

    /** Only where glibc has posix_spawnattr_setcgroup_np (2.39+): not on Debian 12. */
    private void placementAtBirthPutsTheChildInTheCgroupFromItsFirstInstruction() throws Exception {
        try (CgroupFixture f = CgroupFixture.open()) {
            ScopeCgroup cg = f.scope();
            CgroupSpawnPlacement placement = CgroupSpawnPlacement.create();
            LibC libc = CgroupFiles.libc();
            long attr = LibC.allocate(ATTR_SIZE);
            long argv = LibC.allocate(8 * 4);
            List<Long> strings = List.of(LibC.copyOf(LibC.cString("sleep")), LibC.copyOf(LibC.cString("300")));
            long envp = LibC.allocate(8);
            int[] pid = new int[1];
            try {
                assertThat(libc.posix_spawnattr_init(attr)).isZero();
                assertThat(libc.posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP)).isZero();
                assertThat(placement.requestAtBirth(attr, cg)).isTrue();
                short[] flags = new short[1];
                assertThat(libc.posix_spawnattr_getflags(attr, flags)).isZero();
                assertThat(flags[0]).isEqualTo((short) (POSIX_SPAWN_SETPGROUP | CgroupSpawnPlacement.POSIX_SPAWN_SETCGROUP));
                for (int i = 0; i < strings.size(); i++) {
                    LibC.MEMORY.putAddress(argv + 8L * i, strings.get(i));
                }
                int err = libc.posix_spawnp(pid, LibC.cString("sleep"), 0, attr, argv, envp);
                assertThat(err).as(Errno.name(err)).isZero();

                assertThat(cg.contains(pid[0])).isTrue();
                assertThat(placement.afterSpawn(pid[0], true, cg)).isEqualTo(CgroupSpawnPlacement.Placement.AT_BIRTH);
                assertThat(placement.atBirthAvailable()).as("verified, still on").isTrue();
            } finally {
                if (pid[0] > 0) {
                    cg.kill();
                    cg.awaitEmpty(TIMEOUT);
                    libc.waitpid(pid[0], new int[1], 0); // our own native child: reap it
                }
                libc.posix_spawnattr_destroy(attr);
                LibC.free(attr);
                LibC.free(argv);
                LibC.free(envp);
                strings.forEach(LibC::free);
            }
        }
    }

    @Test
    void a_spawn_refused_with_placement_at_birth_is_retried_without_and_clone3_errors_turn_it_off() {
        LibC libc = CgroupFiles.libc();
        CgroupSpawnPlacement placement = new CgroupSpawnPlacement(libc);
        long attr = LibC.allocate(ATTR_SIZE);
        try {
            assertThat(libc.posix_spawnattr_init(attr)).isZero();
            assertThat(libc.posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP)).isZero();
            boolean before = placement.atBirthAvailable();

            assertThat(placement.retryWithoutAtBirth(attr, Errno.ENOENT)).as("no such program: not ours").isFalse();
            assertThat(placement.retryWithoutAtBirth(attr, Errno.EACCES)).as("a cgroup error, or exec's").isTrue();
            assertThat(placement.atBirthAvailable()).isEqualTo(before);

            assertThat(placement.retryWithoutAtBirth(attr, Errno.ENOSYS)).isTrue();

            assertThat(placement.atBirthAvailable()).isFalse();
            assertThat(placement.describe()).contains("moved right after posix_spawn", "ENOSYS");
            short[] flags = new short[1];
            assertThat(libc.posix_spawnattr_getflags(attr, flags)).isZero();
            assertThat(flags[0]).as("SETCGROUP cleared, the rest kept").isEqualTo(POSIX_SPAWN_SETPGROUP);
        } finally {
            libc.posix_spawnattr_destroy(attr);
            LibC.free(attr);
        }
    }

    @Test
    void the_directory_descriptor_is_close_on_exec_and_closed_by_remove() throws Exception {
        try (CgroupFixture f = CgroupFixture.open()) {
            ScopeCgroup cg = f.scope();
            int fd = cg.directoryFd();

            assertThat(cg.directoryFd()).as("opened once").isEqualTo(fd);
            assertThat(Proc.fdTarget(ProcessHandle.current().pid(), fd)).isEqualTo(cg.path().toString());
            assertThat(Proc.fdFlags(fd) & 02000000).as("O_CLOEXEC").isNotZero();
            assertThat(Proc.fdFlags(fd) & CgroupFiles.O_DIRECTORY).as("O_DIRECTORY").isNotZero();

            cg.remove();

            assertThat(Proc.fdTarget(ProcessHandle.current().pid(), fd)).as("closed").isNotEqualTo(cg.path().toString());
        }
    }
}
