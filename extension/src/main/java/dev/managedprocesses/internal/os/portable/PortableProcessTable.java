package dev.managedprocesses.internal.os.portable;

import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.internal.os.PlatformChoice;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTable;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.AbstractList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The process table as {@link ProcessHandle} shows it: pid, parent, start instant, command line. What the
 * JDK cannot tell is answered as unknown, never guessed: process group and session ({@code 0}), state
 * ({@code '?'}: a zombie cannot be told from a running process), uid ({@code -1}), the environment (never
 * contains anything: the scope cookie cannot be read), the last allocated pid ({@code -1}).
 *
 * <p>Start times are counted in ticks since the epoch on the clock of {@code ProcessHandle.Info.startInstant()}:
 * milliseconds where the system reports start times that finely (macOS, Windows), and on Linux 10 ms, the
 * resolution of the kernel's clock ticks from which the JDK computes them there. On Linux the JDK also adds
 * the boot time of {@code /proc/stat}, which is whole seconds: start instants lag the wall clock by up to a
 * second, the same for every process. {@link #uptimeTicks()} measures that lag once, with a few short
 * children, so that "now" and start times stay on one clock (the leak detector's windows depend on it).
 */
final class PortableProcessTable implements ProcessTable {
    private static final long TICKS_PER_SECOND = PlatformChoice.onLinux() ? 100 : 1000;
    private static final long MILLIS_PER_TICK = 1000 / TICKS_PER_SECOND;

    private final ProcessHandle self = ProcessHandle.current();
    private volatile String bootId;
    private volatile Long lagMillis;

    static long ticks(Instant instant) {
        return instant.toEpochMilli() / MILLIS_PER_TICK;
    }

    @Override
    public long selfPid() {
        return self.pid();
    }

    @Override
    public long selfParentPid() {
        return self.parent().map(ProcessHandle::pid).orElse(-1L);
    }

    /** Unknown here (-1): no process has it, so no check against it ever matches. */
    @Override
    public long selfSessionId() {
        return -1;
    }

    /** Unknown here (-1). */
    @Override
    public long selfProcessGroupId() {
        return -1;
    }

    /**
     * No boot id is readable through the JDK; the start instant of pid 1 (init, launchd) stands in for it, since
     * it changes with every boot. {@code unknown} where pid 1 cannot be read (Windows).
     */
    @Override
    public String bootId() {
        String id = bootId;
        if (id == null) {
            id = ProcessHandle.of(1).flatMap(p -> p.info().startInstant()).map(i -> "booted-" + i).orElse("unknown");
            bootId = id;
        }
        return id;
    }

    @Override
    public Optional<ProcStat> stat(long pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).map(PortableProcessTable::toStat);
    }

    /** One handle as a {@link ProcStat}; start time 0 when the JDK cannot read it (another user's process on macOS). */
    static ProcStat toStat(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        long start = info.startInstant().map(PortableProcessTable::ticks).orElse(0L);
        long ppid = process.parent().map(ProcessHandle::pid).orElse(0L);
        String comm = info.command().map(c -> new File(c).getName()).orElse("?");
        return new ProcStat(process.pid(), comm, '?', ppid, 0, 0, start);
    }

    /**
     * Every process, read when the list is first looked at rather than when it is asked for: through the JDK a
     * process costs several file reads (about 0.1 ms each on Linux), so a table of a thousand processes costs a
     * tenth of a second, and a scope's teardown asks for snapshots it looks into only when something survived.
     */
    @Override
    public List<ProcStat> snapshot() {
        return new LazySnapshot();
    }

    /** The whole table, read on first access (then fixed). */
    private static final class LazySnapshot extends AbstractList<ProcStat> {
        private List<ProcStat> read; // guarded by this

        private synchronized List<ProcStat> read() {
            if (read == null) {
                try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
                    read = all.map(PortableProcessTable::toStat).toList();
                }
            }
            return read;
        }

        @Override
        public ProcStat get(int index) {
            return read().get(index);
        }

        @Override
        public int size() {
            return read().size();
        }

        @Override
        public Iterator<ProcStat> iterator() {
            return read().iterator();
        }
    }

    /** Through {@link ProcessHandle#descendants()}: the JDK walks the parent links for us. */
    @Override
    public List<ProcStat> descendants(long pid) {
        Optional<ProcessHandle> root = ProcessHandle.of(pid);
        if (root.isEmpty()) {
            return List.of();
        }
        try (Stream<ProcessHandle> all = root.get().descendants()) {
            return all.map(PortableProcessTable::toStat).toList();
        }
    }

    @Override
    public Optional<ProcessInfo> describe(ProcStat stat) {
        Optional<ProcessHandle> process = ProcessHandle.of(stat.pid());
        if (process.isEmpty()) {
            return Optional.empty();
        }
        ProcessHandle.Info info = process.get().info();
        long start = info.startInstant().map(PortableProcessTable::ticks).orElse(0L);
        if (stat.startTime() != 0 && start != 0 && start != stat.startTime()) {
            return Optional.empty(); // the pid names another process now
        }
        String commandLine = info.commandLine().or(info::command).orElse("[" + stat.comm() + "]");
        return Optional.of(new ProcessInfo(stat.pid(), stat.ppid(), stat.pgid(), stat.sid(), stat.state(),
                stat.startTime(), -1, commandLine));
    }

    @Override
    public Optional<String> executable(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().command());
    }

    /** Never: the JDK cannot read another process's environment, so the scope cookie cannot be found. */
    @Override
    public boolean environmentContains(long pid, String entry) {
        return false;
    }

    /**
     * On Linux a thread id is also a pid that {@code ProcessHandle.of} accepts, and a signal to it reaches the
     * whole JVM: its own threads are listed under {@code /proc/self/task}. Elsewhere thread ids are no pids.
     */
    @Override
    public boolean isOwnThread(long id) {
        return id > 0 && id != selfPid() && Files.isDirectory(Path.of("/proc/self/task/" + id));
    }

    /** None: no marker can be set on this platform. */
    @Override
    public java.util.OptionalLong marker(long pid) {
        return java.util.OptionalLong.empty();
    }

    /** Never: no birth mark is set on this platform. */
    @Override
    public boolean carriesBirthMark(long pid, long marker) {
        return false;
    }

    /** Null: no birth mark is set here, and nothing looks for one (the portable scope holds handles only). */
    @Override
    public String birthMarkProblem() {
        return null;
    }

    /** ProcessHandle names processes only, never a process's other threads. */
    @Override
    public boolean isProcess(long pid) {
        return true;
    }

    /** Unknown: callers fall back to a full look at the process table. */
    @Override
    public long lastAllocatedPid() {
        return -1;
    }

    @Override
    public long pidMax() {
        return Integer.MAX_VALUE;
    }

    @Override
    public long uptimeTicks() {
        return (System.currentTimeMillis() - lagMillis()) / MILLIS_PER_TICK;
    }

    @Override
    public long clockTicksPerSecond() {
        return TICKS_PER_SECOND;
    }

    /** Start times count from the epoch. */
    @Override
    public long bootTimeMillis() {
        return 0;
    }

    /**
     * How far the JDK's start instants lag the wall clock: 0 except on Linux (see the class comment), where a few
     * short children started between clock readings show it. Measured once, on first use.
     */
    private long lagMillis() {
        Long lag = lagMillis;
        if (lag == null) {
            synchronized (this) {
                lag = lagMillis;
                if (lag == null) {
                    lag = PlatformChoice.onLinux() ? measureLag() : 0L;
                    lagMillis = lag;
                }
            }
        }
        return lag;
    }

    /**
     * The JDK on Linux reports a start as {@code btime + ticks * 10 ms}: the lag is the fraction of a second that
     * {@code btime} dropped, the same for every process. A child that started between two readings
     * {@code before} and {@code after} of the clock, and that the JDK says started at {@code s}, puts it within
     * {@code (before - s - 10, after - s]} (the tick truncates up to 10 ms more); five children, each at another
     * phase of the tick, narrow that to a few milliseconds, of which the middle is taken. So start times and
     * "now" ({@link #uptimeTicks()}) fall on the same 10 ms grid, as the kernel's own ticks do.
     */
    private static long measureLag() {
        String sleep = null;
        for (String candidate : List.of("/bin/sleep", "/usr/bin/sleep")) {
            if (new File(candidate).canExecute()) {
                sleep = candidate;
                break;
            }
        }
        if (sleep == null) {
            return 0;
        }
        long lower = Long.MIN_VALUE;
        long upper = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            Process child = null;
            try {
                long before = System.currentTimeMillis();
                child = new ProcessBuilder(sleep, "10").redirectErrorStream(true).start();
                long after = System.currentTimeMillis();
                Optional<Instant> started = child.info().startInstant();
                if (started.isPresent()) {
                    long s = started.get().toEpochMilli();
                    lower = Math.max(lower, before - s - 10 + 1); // the kernel's 10 ms tick
                    upper = Math.min(upper, after - s);
                }
            } catch (java.io.IOException e) {
                break;
            } finally {
                if (child != null) {
                    child.destroyForcibly();
                    try {
                        child.waitFor(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
        if (lower == Long.MIN_VALUE) {
            return 0;
        }
        return Math.max(0, lower <= upper ? (lower + upper) / 2 : upper); // upper < lower: the clock was set meanwhile
    }
}
