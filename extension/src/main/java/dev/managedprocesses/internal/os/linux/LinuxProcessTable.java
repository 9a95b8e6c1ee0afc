package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The process table through {@code /proc} ({@link ProcFs}), and this JVM's own ids through system calls. */
final class LinuxProcessTable implements ProcessTable {
    private final LibC libc;
    private final long selfPid;
    private final String bootId;
    private final long clockTicks;
    private volatile long bootTimeMillis = -1;
    private volatile long pidMax = -1;

    LinuxProcessTable(LibC libc, long clockTicks) {
        this.libc = libc;
        this.selfPid = libc.getpid();
        this.bootId = ProcFs.read("/proc/sys/kernel/random/boot_id", 64)
                .map(b -> new String(b, StandardCharsets.US_ASCII).trim()).orElse("unknown");
        this.clockTicks = clockTicks;
    }

    @Override
    public long selfPid() {
        return selfPid;
    }

    // System calls, not /proc/self/stat: a signal checks these every time (ProtectedProcesses), and
    // reading the JVM's stat file costs tens of microseconds (the kernel walks every JVM thread).
    @Override
    public long selfParentPid() {
        return libc.getppid();
    }

    @Override
    public long selfSessionId() {
        return libc.getsid(0);
    }

    @Override
    public long selfProcessGroupId() {
        return libc.getpgid(0);
    }

    @Override
    public String bootId() {
        return bootId;
    }

    @Override
    public Optional<ProcStat> stat(long pid) {
        return ProcFs.stat(pid);
    }

    @Override
    public List<ProcStat> snapshot() {
        return ProcFs.snapshot(pid -> true);
    }

    /** Fewer forks than this since {@code pid}: the pid counter cannot have come round to it again. */
    private long safeForks() {
        return pidMax() - RESERVED_PIDS - 1;
    }

    /** The kernel never hands out pids below this one when the counter wraps ({@code RESERVED_PIDS}). */
    private static final long RESERVED_PIDS = 300;

    @Override
    public List<ProcStat> snapshotSince(long pid, long forks) {
        long last = lastAllocatedPid();
        long now = forkCount();
        if (pid <= 0 || forks < 0 || last < 0 || now < 0 || now - forks >= safeForks()) {
            return snapshot();
        }
        long max = pidMax();
        long span = Math.floorMod(last - pid, max);
        return ProcFs.snapshot(p -> Math.floorMod(p - pid, max) <= span);
    }

    @Override
    public long forkCount() {
        // "processes 123456": forks (processes and threads) since boot
        for (String line : ProcFs.text("/proc/stat", 1 << 16).orElse("").split("\n")) {
            if (line.startsWith("processes ")) {
                try {
                    return Long.parseLong(line.substring("processes ".length()).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    @Override
    public List<ProcStat> childrenOfSelf() {
        return ProcFs.childrenOfSelf().orElseGet(ProcessTable.super::childrenOfSelf);
    }

    @Override
    public Optional<ProcessInfo> describe(ProcStat s) {
        String cmd = ProcFs.commandLine(s.pid(), s.comm());
        int uid = ProcFs.uid(s.pid());
        return Optional.of(new ProcessInfo(s.pid(), s.ppid(), s.pgid(), s.sid(), s.state(), s.startTime(), uid, cmd));
    }

    @Override
    public Optional<String> executable(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean environmentContains(long pid, String entry) {
        return ProcFs.environmentContains(pid, entry);
    }

    @Override
    public boolean isOwnThread(long id) {
        return id != selfPid && id > 0 && new java.io.File("/proc/self/task/" + id).exists();
    }

    @Override
    public java.util.OptionalLong marker(long pid) {
        java.util.OptionalLong limit = RttimeMarker.read(pid);
        return limit.isPresent() && RttimeMarker.isMarker(limit.getAsLong()) ? limit : java.util.OptionalLong.empty();
    }

    @Override
    public boolean carriesBirthMark(long pid, long marker) {
        return TimerSlack.of(pid).filter(v -> v == TimerSlack.forMarker(marker)).isPresent();
    }

    @Override
    public String birthMarkProblem() {
        return TimerSlack.othersUnreadable();
    }

    @Override
    public boolean isProcess(long pid) {
        return ProcFs.tgid(pid) == pid;
    }

    @Override
    public long lastAllocatedPid() {
        // Every spawn looks (its window: ScopeContainment.claimBornInTheWindow), so /proc/loadavg stays open and is
        // read with one pread, not an open, a stat, a read and a close each time (a tenth of a spawn's own CPU).
        int fd = loadavg();
        if (fd >= 0) {
            byte[] b = new byte[LOADAVG_MAX];
            long n = libc.pread(fd, b, b.length, 0);
            if (n > 0) {
                return lastPid(new String(b, 0, (int) n, StandardCharsets.US_ASCII));
            }
        }
        return ProcFs.text("/proc/loadavg").map(LinuxProcessTable::lastPid).orElse(-1L);
    }

    /** "0.00 0.01 0.05 1/123 4567": the last field is the most recently allocated pid (-1: not a number). */
    private static long lastPid(String loadavg) {
        String t = loadavg.trim();
        try {
            return Long.parseLong(t.substring(t.lastIndexOf(' ') + 1));
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    private static final int LOADAVG_MAX = 128; // five fields: "0.00 0.01 0.05 1/123 4567\n"
    private static final int O_RDONLY_CLOEXEC = 02000000;
    private static final Object LOADAVG_LOCK = new Object();
    /** One per JVM, whatever the number of tables: -2 not opened yet; -1 cannot be (then ProcFs reads it each time). */
    private static volatile int loadavgFd = -2;

    /** /proc/loadavg, opened once for the JVM's life (close-on-exec); -1 where it cannot be opened. */
    private int loadavg() {
        int fd = loadavgFd;
        if (fd == -2) {
            synchronized (LOADAVG_LOCK) {
                fd = loadavgFd;
                if (fd == -2) {
                    fd = libc.open(LibC.cString("/proc/loadavg"), O_RDONLY_CLOEXEC);
                    loadavgFd = fd = fd >= 0 ? fd : -1;
                }
            }
        }
        return fd;
    }

    @Override
    public long pidMax() {
        long m = pidMax;
        if (m <= 0) {
            m = ProcFs.text("/proc/sys/kernel/pid_max").map(t -> Long.parseLong(t.trim())).orElse(4_194_304L);
            pidMax = m;
        }
        return m;
    }

    @Override
    public long uptimeTicks() {
        // "12345.67 2345.67": seconds since boot with centisecond resolution
        return ProcFs.text("/proc/uptime").map(t -> {
            String first = t.substring(0, t.indexOf(' '));
            int dot = first.indexOf('.');
            long cs = Long.parseLong(first.substring(0, dot)) * 100 + Long.parseLong(first.substring(dot + 1));
            return cs * clockTicks / 100;
        }).orElse(0L);
    }

    @Override
    public long clockTicksPerSecond() {
        return clockTicks;
    }

    @Override
    public long bootTimeMillis() {
        long b = bootTimeMillis;
        if (b < 0) {
            b = ProcFs.read("/proc/stat", 1 << 16).map(raw -> {
                String s = new String(raw, StandardCharsets.US_ASCII);
                int i = s.indexOf("\nbtime ");
                if (i < 0) {
                    return 0L;
                }
                int end = s.indexOf('\n', i + 7);
                return Long.parseLong(s.substring(i + 7, end < 0 ? s.length() : end).trim()) * 1000;
            }).orElse(0L);
            bootTimeMillis = b;
        }
        return b;
    }
}
