package dev.managedprocesses.internal.reactor;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcessTable;
import dev.managedprocesses.internal.os.Poller;
import dev.managedprocesses.internal.os.ProcStat;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The one thread that watches every managed process: pidfd readiness (a child exited), pipe
 * readiness (output to buffer) and timers (only where the kernel has no pidfd). The thread count
 * does not grow with the number of processes: a thousand children cost a thousand registrations,
 * not a thousand threads.
 *
 * <p>Rules: handlers run on the reactor thread and must not block; descriptors registered here are
 * unregistered and closed on the reactor thread only (so a recycled fd number can never be confused
 * with the old one: tokens, not fds, identify registrations). An event whose token is no longer
 * registered is dropped.
 */
public final class Reactor {
    /** Looked up only when there is something to log: System.Logger's start-up is a visible part of cold start. */
    private static System.Logger log() {
        return System.getLogger(Reactor.class.getName());
    }
    private static volatile Reactor instance;

    private final Os os;
    private final Poller poller;
    private final Map<Long, Registration> registrations = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> idleTasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Set<GroupWatcher> pendingGroupChecks = new LinkedHashSet<>();
    private final AtomicLong tokens = new AtomicLong();
    private final Thread thread;

    private Reactor(Os os) {
        this.os = os;
        this.poller = os.descriptors().openPoller();
        this.thread = new Thread(this::loop, "managed-processes-reactor");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** The reactor, started on first use. */
    public static Reactor get() {
        Reactor r = instance;
        if (r == null) {
            synchronized (Reactor.class) {
                r = instance;
                if (r == null) {
                    r = new Reactor(Os.current());
                    instance = r;
                }
            }
        }
        return r;
    }

    public boolean inReactorThread() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the reactor thread, soon. */
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inReactorThread()) {
            wake();
        }
    }

    /**
     * Wakes the reactor thread, once for a burst: a teardown hands it a task per process, and one wake-up
     * (one write) serves them all. Cleared by the reactor thread before it runs the tasks, so a task added
     * after that wakes it again.
     */
    private void wake() {
        if (wakePending.compareAndSet(false, true)) {
            poller.wakeup();
        }
    }

    /**
     * Runs {@code task} on the reactor thread when it has nothing else to do (no descriptor ready, no task,
     * no timer due): housekeeping that must not delay the handling of exits, such as removing the cgroups of
     * processes that are gone while a teardown waits for the others. In the order given.
     */
    public void whenIdle(Runnable task) {
        idleTasks.add(task);
        if (!inReactorThread()) {
            wake();
        }
    }

    /** At most this many idle tasks run between two looks at the descriptors. */
    private static final int IDLE_SLICE = 8;
    /** A reactor that is never idle (a process writing without pause) still runs a slice this often. */
    private static final long IDLE_MAX_DELAY_NANOS = 5_000_000;
    private long idleDue; // reactor thread: System.nanoTime() after which a slice runs even when busy

    /** Runs {@code task} on the reactor thread after {@code delayMillis}. */
    public void schedule(long delayMillis, Runnable task) {
        execute(() -> timers.add(new Timer(System.nanoTime() + delayMillis * 1_000_000L, tokens.incrementAndGet(), task)));
    }

    /**
     * Watches {@code fd} for readability; {@code handler} runs on the reactor thread each time it is
     * ready until the registration is cancelled. May be called from any thread.
     */
    public Registration register(int fd, Consumer<Registration> handler) {
        Registration r = new Registration(fd, tokens.incrementAndGet(), handler, false);
        registrations.put(r.token, r);
        poller.add(fd, r.token);
        return r;
    }

    /**
     * As {@link #register}, but {@code handler} runs once per change of {@code fd} (edge-triggered) where the
     * poller can ({@link Registration#isEdge()}): it must then read until {@code fd} has nothing more (a read that
     * would block, or the end of file), and stopping the watch after the last change (end of file, a pidfd's exit)
     * costs no system call: the descriptor's close takes it out of the poller. For descriptors whose last change
     * ends the watch: output pipes and pidfds. Elsewhere it is level-triggered, as {@link #register}.
     */
    public Registration registerOnChange(int fd, Consumer<Registration> handler) {
        boolean edge = poller.edgeTriggered();
        Registration r = new Registration(fd, tokens.incrementAndGet(), handler, edge);
        registrations.put(r.token, r);
        if (edge) {
            poller.addEdge(fd, r.token);
        } else {
            poller.add(fd, r.token);
        }
        return r;
    }

    /**
     * Watches {@code fd} for an exceptional condition (POLLPRI, such as a cgroup's {@code cgroup.events}
     * changing); otherwise as {@link #register}.
     */
    public Registration registerPriority(int fd, Consumer<Registration> handler) {
        Registration r = new Registration(fd, tokens.incrementAndGet(), handler, false);
        registrations.put(r.token, r);
        poller.addPriority(fd, r.token);
        return r;
    }

    /** Asks for a group check at the end of the current batch: one process-table snapshot serves all. */
    public void requestGroupCheck(GroupWatcher watcher) {
        if (inReactorThread()) {
            pendingGroupChecks.add(watcher);
        } else {
            execute(() -> pendingGroupChecks.add(watcher));
        }
    }

    private void loop() {
        long[] ready = new long[256];
        while (true) {
            try {
                int n = poller.await(ready, nextTimeoutMillis());
                wakePending.set(false); // before the tasks run: one added from now on wakes the thread again
                for (int i = 0; i < n; i++) {
                    Registration r = registrations.get(ready[i]);
                    if (r != null && !r.cancelled) {
                        r.handler.accept(r);
                    }
                }
                runTasks();
                runTimers();
                runGroupChecks();
                if (!idleTasks.isEmpty() && (n == 0 || System.nanoTime() - idleDue >= 0)) {
                    runIdle();
                    idleDue = System.nanoTime() + IDLE_MAX_DELAY_NANOS;
                }
            } catch (Throwable t) {
                // Never let one bad handler stop the watching of every other process.
                log().log(Level.ERROR, "managed-processes reactor: unexpected error (continuing)", t);
            }
        }
    }

    private void runTasks() {
        Runnable t;
        while ((t = tasks.poll()) != null) {
            try {
                t.run();
            } catch (RuntimeException e) {
                log().log(Level.ERROR, "managed-processes reactor task failed", e);
            }
        }
    }

    private void runIdle() {
        Runnable t;
        for (int i = 0; i < IDLE_SLICE && tasks.isEmpty() && (t = idleTasks.poll()) != null; i++) {
            try {
                t.run();
            } catch (RuntimeException e) {
                log().log(Level.ERROR, "managed-processes reactor task failed", e);
            }
        }
    }

    private void runTimers() {
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.peek().dueNanos - now <= 0) {
            timers.poll().task.run();
        }
    }

    /**
     * At most one process-table scan per this many nanoseconds: when exits come in a burst (a teardown
     * of a hundred groups), checks requested meanwhile wait and share the next scan, instead of one scan
     * (of every pid allocated since the oldest leader) per exit. Exit statuses are not delayed, only
     * the reap of leaders whose group may still have members.
     */
    private static final long GROUP_CHECK_INTERVAL_NANOS = 1_000_000;
    private long lastGroupCheck = System.nanoTime() - GROUP_CHECK_INTERVAL_NANOS;
    private boolean groupCheckTimerSet;

    private void runGroupChecks() {
        if (pendingGroupChecks.isEmpty()) {
            return;
        }
        long wait = lastGroupCheck + GROUP_CHECK_INTERVAL_NANOS - System.nanoTime();
        if (wait > 0) {
            if (!groupCheckTimerSet) {
                groupCheckTimerSet = true;
                timers.add(new Timer(System.nanoTime() + wait, tokens.incrementAndGet(), () -> groupCheckTimerSet = false));
            }
            return;
        }
        lastGroupCheck = System.nanoTime();
        while (!pendingGroupChecks.isEmpty()) {
            List<GroupWatcher> batch = new ArrayList<>(pendingGroupChecks);
            pendingGroupChecks.clear();
            List<ProcStat> snapshot = groupSnapshot(batch);
            for (GroupWatcher w : batch) {
                w.onSnapshot(snapshot);
            }
            runTasks();
        }
    }

    /** Above this many pids allocated since the oldest leader, one full scan is cheaper. */
    private static final long RANGE_LIMIT = 2048;

    /**
     * The processes that may belong to the watched groups. Every member of a group we lead was
     * created after its leader, and the kernel hands out pids in order (modulo pid_max), so only the
     * pids allocated since the leader was spawned need a look: a handful for a short-lived process,
     * instead of every process on the machine. A long-lived leader or a wrapped pid space falls back
     * to the full scan.
     */
    private List<ProcStat> groupSnapshot(List<GroupWatcher> batch) {
        ProcessTable table = os.table();
        long current = table.lastAllocatedPid();
        long max = table.pidMax();
        long widest = -1;
        long from = -1;
        Set<Long> groups = new java.util.HashSet<>();
        for (GroupWatcher w : batch) {
            long leader = w.groupId();
            groups.add(leader);
            long range = Math.floorMod(current - leader, max);
            if (range > widest) {
                widest = range;
                from = leader;
            }
        }
        if (current < 0 || widest < 0 || widest > RANGE_LIMIT) {
            return table.snapshot();
        }
        List<ProcStat> out = new ArrayList<>();
        for (long k = 0; k <= widest; k++) {
            long pid = from + k > max ? from + k - max : from + k;
            table.stat(pid).ifPresent(s -> {
                // only what the watchers look at; /proc/<tid> of another thread would pass for a process
                if (groups.contains(s.pgid()) && (groups.contains(s.pid()) || table.isProcess(s.pid()))) {
                    out.add(s);
                }
            });
        }
        return out;
    }

    private int nextTimeoutMillis() {
        if (!tasks.isEmpty() || !idleTasks.isEmpty() || (!pendingGroupChecks.isEmpty() && !groupCheckTimerSet)) {
            return 0;
        }
        Timer t = timers.peek();
        if (t == null) {
            return -1;
        }
        long ms = (t.dueNanos - System.nanoTime() + 999_999) / 1_000_000;
        return (int) Math.max(0, Math.min(ms, Integer.MAX_VALUE));
    }

    /** A watched descriptor. */
    public final class Registration {
        private final int fd;
        private final long token;
        private final Consumer<Registration> handler;
        private final boolean edge;
        private volatile boolean cancelled;
        private boolean suspended;
        private boolean closed;

        private Registration(int fd, long token, Consumer<Registration> handler, boolean edge) {
            this.fd = fd;
            this.token = token;
            this.handler = handler;
            this.edge = edge;
        }

        public int fd() {
            return fd;
        }

        /**
         * Whether its handler runs once per change only ({@link #registerOnChange}, where the poller can): it must
         * read until the descriptor has nothing more.
         */
        public boolean isEdge() {
            return edge;
        }

        /** Stops watching and closes the descriptor, on the reactor thread. */
        public void cancelAndClose() {
            if (inReactorThread()) {
                doCancel();
            } else {
                execute(this::doCancel);
            }
        }

        /**
         * Stops watching, keeping the descriptor open (close it later with {@link #cancelAndClose()}). Reactor thread
         * only. An edge-triggered registration is suspended only after its last change (end of file, exit), and stays
         * in the poller until its close takes it out: a system call saved per pipe and pidfd, three per process. An
         * event that still comes for it finds its token no longer registered, and is dropped.
         */
        public void suspend() {
            if (!suspended) {
                suspended = true;
                registrations.remove(token);
                if (!edge) {
                    poller.remove(fd);
                }
            }
        }

        /**
         * Stops watching for good, keeping the descriptor open until {@link #cancelAndClose()} (a teardown closes the
         * descriptors of the processes it ended once it is over). Reactor thread only.
         */
        public void cancel() {
            suspend();
            cancelled = true;
        }

        private void doCancel() {
            cancel();
            if (!closed) {
                closed = true;
                os.descriptors().close(fd);
            }
        }

        public boolean isCancelled() {
            return cancelled;
        }
    }

    private record Timer(long dueNanos, long seq, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(dueNanos - o.dueNanos, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** A process group that needs to look at the process table when it changes. */
    public interface GroupWatcher {
        /** The group's id (its leader's pid, which is older than every member). */
        long groupId();

        /** The processes that may belong to the group (at least all of them; possibly more). */
        void onSnapshot(List<ProcStat> snapshot);
    }
}
