package dev.managedprocesses.leaks;

import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.internal.core.ContainmentMode;
import dev.managedprocesses.internal.core.ScopeRegistry;
import dev.managedprocesses.internal.janitor.Janitor;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTable;
import dev.managedprocesses.internal.safety.OrphanReaper;
import dev.managedprocesses.internal.safety.PinnedProcess;
import dev.managedprocesses.internal.safety.Subreaper;
import dev.managedprocesses.leaks.Finding.LeakedProcess;
import dev.managedprocesses.leaks.Finding.TestRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Finds processes that tests leave running, one JVM (one test plan) at a time.
 *
 * <p>At the start it notes the JVM's live descendants (the baseline). After each test and container
 * it looks for new live descendants of the JVM (orphans included: the JVM is made a subreaper, so
 * double-forked daemons re-parent to it), minus the baseline, what live {@link ProcessScope}s own
 * (they will end it), ignored commands, and processes already reported. Whatever is still alive
 * after one settle budget (the wait ends early, woken by pidfds, as soon as all have exited) is a leak.
 *
 * <p>Cheap when nothing happened: the kernel's most recently allocated pid ({@code /proc/loadavg})
 * is read after every test, and only pids allocated since the last check are looked at; a full scan
 * of the process table happens only when that range is large or wrapped.
 *
 * <p>Attribution is by execution window: a leak belongs to the test(s) that were running when it
 * was created. The kernel hands out pids in order, so a window is bounded by the last allocated pid
 * when it opened and when it closed (exact, even for tests a few microseconds apart), and checked
 * against start times in clock ticks (10 ms) so that a pid wrap cannot mislead it. Where the last
 * allocated pid cannot be read (the portable platform), the JVM's descendants are looked at when each
 * window opens and closes instead, and a process belongs to the windows around the look that first
 * saw it: as exact, for the processes still alive at that look, at the price of one look at the
 * process table per window. While any such
 * test still runs, judgement waits. The candidates are the innermost windows that contain the start:
 * every test running then, and every class (or other container) then in a fixture phase of its own
 * ({@code @BeforeAll}, {@code @AfterAll}: none of its tests running), so a process started by class
 * A's {@code @BeforeAll} while class B's test runs (concurrent classes) names both. More than one
 * candidate makes the finding ambiguous. A process a class fixture starts is judged when its class ends.
 *
 * <p>Ambiguous findings never fail a single test, in {@code fail} mode either: the test that would go
 * red could be the innocent one. They are reported with every candidate, and fail the run instead
 * (the launcher session's end, or the Jupiter engine's end when no listener watches); see
 * {@link #finished(TestRef)}.
 *
 * <p>The crash-safety janitor ({@link Janitor}), which may start inside any test's window and lives as
 * long as the JVM, is never a leak; the report names it as ignored.
 */
public final class LeakDetector {
    private static final int RANGE_LIMIT = 4096;
    private static final Pattern JSPAWNHELPER = Pattern.compile(".*jspawnhelper.*");
    /** Added to the action of an ambiguous finding in fail mode: no test goes red for it, the run does. */
    static final String AMBIGUOUS_IN_FAIL_MODE = "ambiguous, so no single test is failed: the run fails";
    /** The action in fail mode when the user asked to keep what was found ({@value LeakSettings#FAIL_KEEP_KEY}). */
    static final String KEPT = "left running (" + LeakSettings.FAIL_KEEP_KEY + "=true)";

    private final Os os;
    private final ProcessTable table;
    private final LeakSettings settings;
    private final long self;
    private final Set<String> baseline = new HashSet<>();      // pid:start
    private final Set<String> reported = new HashSet<>();
    private final Map<Long, Long> pending = new HashMap<>();    // pid -> start: deferred or owned by a live scope
    private final Map<String, Window> windows = new LinkedHashMap<>();
    private final List<Finding> findings = new ArrayList<>();
    private final Set<String> stdio = new HashSet<>();
    private final Set<Long> janitors = new TreeSet<>(); // janitor pids seen (and ignored), for the report
    private final LeakReport report;
    private long lastPid;
    /** False where the last allocated pid cannot be read: windows are then bounded by looks ({@link #observe()}). */
    private final boolean pidOrder;
    private long looks;                                          // how many looks so far
    private final Map<String, Long> firstLook = new HashMap<>(); // pid:start -> the look that first saw it
    private List<ProcStat> lastLook;                             // the latest look, until collect() uses it
    private boolean closed;
    private long lastOrphanSweep = System.nanoTime();
    private final long nanoAtStart;
    private final long uptimeTicksAtStart;

    LeakDetector(Os os, LeakSettings settings) {
        this.os = os;
        this.table = os.table();
        this.settings = settings;
        this.self = table.selfPid();
        if (settings.subreaper()) {
            Subreaper.force(os.control());
        }
        if (settings.mode() == LeakMode.KILL) {
            // It kills what it finds, so after a crash the janitor should too; started now, it is part of
            // the baseline rather than a new process inside some test's window.
            Janitor.ensureStarted();
        }
        Map<Integer, String> own = os.inspector().openFiles(self);
        for (int fd : new int[] {1, 2}) {
            String target = own.get(fd);
            if (target != null && target.startsWith("pipe:")) {
                stdio.add(target);
            }
        }
        this.lastPid = table.lastAllocatedPid();
        this.pidOrder = lastPid >= 0;
        this.nanoAtStart = System.nanoTime();
        this.uptimeTicksAtStart = table.uptimeTicks();
        for (ProcStat s : table.descendants(self)) {
            baseline.add(key(s));
        }
        this.report = new LeakReport(settings, self, ContainmentMode.describe(os));
    }

    LeakSettings settings() {
        return settings;
    }

    LeakReport report() {
        return report;
    }

    synchronized List<Finding> findings() {
        return List.copyOf(findings);
    }

    /** True when this detector has seen {@code uniqueId} start. */
    synchronized boolean knows(String uniqueId) {
        return windows.containsKey(uniqueId);
    }

    /** A test or container started. Idempotent. */
    synchronized void started(TestRef ref, boolean container, boolean exempt) {
        if (!windows.containsKey(ref.uniqueId())) { // the listener and the extension both announce each test
            windows.put(ref.uniqueId(), new Window(ref, nowTicks(), order(), container, exempt));
            lastLook = null; // it served to note first looks; the next check takes its own
        }
    }

    /**
     * Clock ticks since boot, the clock of process start times: calibrated once against
     * {@code /proc/uptime}, then advanced with {@link System#nanoTime()} (no file read per test).
     */
    private long nowTicks() {
        return uptimeTicksAtStart + (System.nanoTime() - nanoAtStart) * table.clockTicksPerSecond() / 1_000_000_000L;
    }

    /**
     * A test or container finished: closes its window and checks for leaks.
     *
     * @return the exact findings (new or earlier) that name {@code ref} alone and that no test was failed
     *     for yet; never an ambiguous one, which could blame an innocent test (it fails the run instead)
     */
    synchronized List<Finding> finished(TestRef ref) {
        Window w = windows.get(ref.uniqueId());
        if (w != null && w.end < 0) {
            w.end = nowTicks();
            w.endPid = order();
        }
        check();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            if (!f.ambiguous() && f.names(ref.uniqueId()) && !f.failedSomething()) {
                out.add(f);
            }
        }
        return out;
    }

    /** Records that the extension failed {@code ref} for these findings. */
    synchronized void markFailed(List<Finding> failed) {
        mark(failed, Finding.TEST_FAILED);
    }

    /**
     * In fail mode, a last check, then the findings that no test was failed for (ambiguous ones, leaks of
     * tests on engines other than Jupiter, or of Jupiter tests without the extension), marked as failed by
     * the leak check engine, which reports them; empty in other modes.
     */
    synchronized List<Finding> takeUnfailedForLeakCheck() {
        if (settings.mode() != LeakMode.FAIL || closed) {
            return List.of();
        }
        check();
        List<Finding> out = findings.stream().filter(f -> !f.failedSomething()).toList();
        mark(out, Finding.CHECK_FAILED);
        return findings.stream().filter(f -> out.stream().anyMatch(o -> o.processes().equals(f.processes()))).toList();
    }

    private void mark(List<Finding> which, String how) {
        if (which.isEmpty()) {
            return;
        }
        for (int i = 0; i < findings.size(); i++) {
            if (which.contains(findings.get(i))) {
                findings.set(i, findings.get(i).withAction(findings.get(i).action() + "; " + how));
            }
        }
        report.write(findings, janitorsSeen());
    }

    /** The end of a test plan that is not the last: the report reflects what was found so far. */
    synchronized void checkpoint() {
        report.write(findings, janitorsSeen());
    }

    /**
     * The end of the run: a last check, orphan zombies reaped, the report written.
     *
     * @return false when it was closed already
     */
    synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        for (Window w : windows.values()) {
            if (w.end < 0) {
                w.end = nowTicks();
                w.endPid = order();
            }
        }
        check();
        reapOrphanZombies(true);
        report.write(findings, janitorsSeen());
        return true;
    }

    // ---------------------------------------------------------------- the check

    private void check() {
        Map<Long, ProcStat> candidates = collect();
        if (!candidates.isEmpty()) {
            deferUnjudgeable(candidates);
        }
        if (!candidates.isEmpty()) {
            settle(candidates);
        }
        if (!candidates.isEmpty()) {
            attribute(candidates);
        }
        reapOrphanZombies(false);
        pruneWindows();
    }

    /** New live descendants of the JVM that nobody accounts for. */
    private Map<Long, ProcStat> collect() {
        long current = table.lastAllocatedPid();
        long previous = lastPid;
        lastPid = current;
        List<ProcStat> found;
        long range = current >= previous ? current - previous : current + table.pidMax() - previous;
        if (!pidOrder) {
            found = lastLook != null ? lastLook : observeAll();
            lastLook = null;
        } else if (current < 0 || previous < 0 || range > RANGE_LIMIT) {
            found = table.descendants(self);
        } else {
            found = new ArrayList<>();
            Map<Long, Optional<ProcStat>> cache = new HashMap<>();
            List<Long> pids = new ArrayList<>(pending.keySet());
            for (long i = 1; i <= range; i++) {
                long pid = previous + i;
                pids.add(pid > table.pidMax() ? pid - table.pidMax() : pid);
            }
            for (long pid : pids) {
                Optional<ProcStat> s = cache.computeIfAbsent(pid, table::stat);
                if (s.isPresent() && isDescendant(s.get(), cache)) {
                    found.add(s.get());
                }
            }
        }
        Map<Long, ProcStat> out = new LinkedHashMap<>();
        for (ProcStat s : found) {
            String k = key(s);
            if (s.isGone() || baseline.contains(k) || reported.contains(k) || s.pid() == self) {
                continue;
            }
            if (Janitor.pid().orElse(-1) == s.pid()) {
                janitors.add(s.pid()); // our crash-safety janitor: started lazily inside some test, it lives as long as the JVM
                continue;
            }
            if (ScopeRegistry.owned(s)) {
                pending.put(s.pid(), s.startTime()); // look again once its scope has closed
                continue;
            }
            if (!table.isProcess(s.pid())) {
                continue; // another thread of a child, not a process
            }
            if (descendsFromReported(s)) {
                reported.add(k); // part of a leak already reported (a daemon forking later): not a new finding
                continue;
            }
            String cmd = table.describe(s).map(ProcessInfo::commandLine).orElse("");
            if (JSPAWNHELPER.matcher(cmd).matches() || ignored(cmd)) {
                reported.add(k);
                continue;
            }
            out.put(s.pid(), s);
        }
        pending.entrySet().removeIf(e -> table.stat(e.getKey()).map(s -> s.isGone() || s.startTime() != e.getValue())
                .orElse(true));
        return out;
    }

    /**
     * Where windows start and end in the order processes are created: the last allocated pid, or (without it)
     * the number of the look taken now, which notes when each of the JVM's descendants was first seen.
     */
    private long order() {
        if (pidOrder) {
            return table.lastAllocatedPid();
        }
        lastLook = observeAll();
        return looks;
    }

    /** A look at the JVM's descendants: each one seen for the first time is noted with this look's number. */
    private List<ProcStat> observeAll() {
        List<ProcStat> now = table.descendants(self);
        looks++;
        Set<String> keys = new HashSet<>();
        for (ProcStat s : now) {
            String k = key(s);
            keys.add(k);
            firstLook.putIfAbsent(k, looks);
        }
        firstLook.keySet().retainAll(keys); // gone: never judged again
        return now;
    }

    /** Where {@code process} was created in the order of {@link #order()}: its pid, or the look that first saw it. */
    private long orderOf(ProcStat process) {
        return pidOrder ? process.pid() : firstLook.getOrDefault(key(process), looks);
    }

    private boolean ignored(String commandLine) {
        for (Pattern p : settings.ignore()) {
            if (p.matcher(commandLine).matches()) {
                return true;
            }
        }
        return false;
    }

    private boolean descendsFromReported(ProcStat s) {
        long ppid = s.ppid();
        for (int depth = 0; depth < 64 && ppid > 1 && ppid != self; depth++) {
            Optional<ProcStat> parent = table.stat(ppid);
            if (parent.isEmpty()) {
                return false;
            }
            if (reported.contains(key(parent.get()))) {
                return true;
            }
            ppid = parent.get().ppid();
        }
        return false;
    }

    private boolean isDescendant(ProcStat s, Map<Long, Optional<ProcStat>> cache) {
        long ppid = s.ppid();
        for (int depth = 0; depth < 64; depth++) {
            if (ppid == self) {
                return true;
            }
            if (ppid <= 1) {
                return false;
            }
            Optional<ProcStat> parent = cache.computeIfAbsent(ppid, table::stat);
            if (parent.isEmpty()) {
                return false;
            }
            ppid = parent.get().ppid();
        }
        return false;
    }

    /**
     * Waits (at most the settle budget) for the candidates to end by themselves; drops those that do.
     * Woken by pidfds; without them (Linux &lt; 5.3) their start times are polled, 10 ms, then doubling,
     * within the same budget.
     */
    private void settle(Map<Long, ProcStat> candidates) {
        List<PinnedProcess> watched = new ArrayList<>();
        List<CompletableFuture<Void>> exits = new ArrayList<>();
        for (ProcStat s : candidates.values()) {
            PinnedProcess.Pin pin = PinnedProcess.pin(os, s.pid(), s.startTime());
            if (pin.pinned()) {
                watched.add(pin.process());
                exits.add(pin.process().exited());
            }
        }
        try {
            CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new))
                    .get(settings.settle().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // still running after the budget: leaks, unless they ended a moment ago (checked below)
        }
        watched.forEach(PinnedProcess::close);
        // Identity re-checked: only the very processes we saw, still alive, are leaks.
        candidates.values().removeIf(s -> !isCurrent(s));
    }

    /** That very process (same start time) still exists and has not exited. */
    private boolean isCurrent(ProcStat s) {
        return table.stat(s.pid()).map(now -> !now.isGone() && now.startTime() == s.startTime()).orElse(false);
    }

    /**
     * Moves to {@code pending}, without waiting for them, the trees that cannot be judged yet because a
     * test or container that may own them still runs (a fixture started in {@code @BeforeAll} lives as
     * long as its class). Only what can be judged now is worth the settle wait: without this, every
     * test of a class with such a fixture waited the whole settle budget for a process that was never
     * going to end during the test.
     */
    private void deferUnjudgeable(Map<Long, ProcStat> candidates) {
        for (ProcStat root : roots(candidates)) {
            if (!judgeable(culprits(root))) {
                for (ProcStat s : tree(root, candidates)) {
                    pending.put(s.pid(), s.startTime());
                    candidates.remove(s.pid());
                }
            }
        }
    }

    private static List<ProcStat> roots(Map<Long, ProcStat> candidates) {
        // trees: a candidate whose parent is also a candidate hangs under it
        List<ProcStat> roots = new ArrayList<>();
        for (ProcStat s : candidates.values()) {
            if (!candidates.containsKey(s.ppid())) {
                roots.add(s);
            }
        }
        return roots;
    }

    /**
     * The windows that may have created {@code root}: of those containing its start, the innermost ones
     * (a window that contains another running window of its own at that moment, such as a class whose
     * test ran, or the engine, is not a candidate itself). So every test running then is named, and every
     * class in a fixture phase of its own ({@code @BeforeAll}/{@code @AfterAll}) then.
     */
    private List<Window> culprits(ProcStat root) {
        List<Window> containing = windowsContaining(root);
        List<Window> out = new ArrayList<>();
        for (Window w : containing) {
            boolean inner = true;
            for (Window other : containing) {
                if (other != w && other.isWithin(w)) {
                    inner = false;
                    break;
                }
            }
            if (inner) {
                out.add(w);
            }
        }
        return out;
    }

    private static boolean judgeable(List<Window> culprits) {
        return !culprits.isEmpty() && culprits.stream().allMatch(w -> w.end >= 0);
    }

    private void attribute(Map<Long, ProcStat> candidates) {
        int before = findings.size();
        for (ProcStat root : roots(candidates)) {
            List<Window> culprits = culprits(root);
            if (!judgeable(culprits)) {
                deferTree(root, candidates); // judged when the test(s) or class that may own it end
                continue;
            }
            List<ProcStat> tree = tree(root, candidates);
            tree.forEach(s -> {
                reported.add(key(s));
                pending.remove(s.pid());
            });
            if (culprits.stream().allMatch(w -> w.exempt)) {
                continue;
            }
            List<TestRef> tests = culprits.stream().map(w -> w.ref).toList();
            List<LeakedProcess> processes = describe(root, tree);
            String action = switch (settings.mode()) {
                case KILL -> kill(tree);
                // fail mode ends what it found too: a red build should not also leave the CI agent busy
                case FAIL -> (settings.keepInFailMode() ? KEPT : kill(tree))
                        + (tests.size() > 1 ? "; " + AMBIGUOUS_IN_FAIL_MODE : "");
                default -> "reported (warn mode)";
            };
            findings.add(new Finding(tests, processes, action));
        }
        if (findings.size() > before) {
            report.write(findings, janitorsSeen());
            if (settings.mode() == LeakMode.WARN) {
                // in the test's own output (its afterEach, or right after it): nothing fails, so say it where it happened
                System.err.print(LeakDetection.warning(findings.subList(before, findings.size())));
            }
        }
    }

    private void deferTree(ProcStat root, Map<Long, ProcStat> candidates) {
        for (ProcStat s : tree(root, candidates)) {
            pending.put(s.pid(), s.startTime());
        }
    }

    private List<Window> windowsContaining(ProcStat process) {
        long tick = process.startTime();
        long now = pidOrder ? table.lastAllocatedPid() : looks;
        List<Window> out = new ArrayList<>();
        for (Window w : windows.values()) {
            // the tick check has one tick of slack each side (10 ms resolution); the pid check is exact
            if (w.start - 1 <= tick && (w.end < 0 || tick <= w.end + 1)
                    && pidWithin(orderOf(process), w.startPid, w.end < 0 ? now : w.endPid)) {
                out.add(w);
            }
        }
        return out;
    }

    /** True when {@code pid} was allocated after {@code from} and no later than {@code to}, modulo pid_max. */
    private boolean pidWithin(long pid, long from, long to) {
        if (from < 0 || to < 0) {
            return true; // unknown: the tick check alone decides
        }
        long max = table.pidMax();
        long d = Math.floorMod(pid - from, max);
        long e = Math.floorMod(to - from, max);
        return d > 0 && d <= e;
    }

    private List<ProcStat> tree(ProcStat root, Map<Long, ProcStat> candidates) {
        List<ProcStat> out = new ArrayList<>();
        out.add(root);
        for (int i = 0; i < out.size(); i++) {
            long parent = out.get(i).pid();
            for (ProcStat c : candidates.values()) {
                if (c.ppid() == parent && !out.contains(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private List<LeakedProcess> describe(ProcStat root, List<ProcStat> tree) {
        long now = nowTicks();
        long ticks = table.clockTicksPerSecond();
        Map<Long, Integer> depth = new HashMap<>();
        depth.put(root.ppid(), -1);
        List<LeakedProcess> out = new ArrayList<>();
        for (ProcStat s : tree) {
            int d = depth.getOrDefault(s.ppid(), -1) + 1;
            depth.put(s.pid(), d);
            Optional<ProcessInfo> info = table.describe(s);
            int uid = info.map(ProcessInfo::uid).orElse(-1);
            boolean holds = !stdio.isEmpty() && os.inspector().openFiles(s.pid()).values().stream().anyMatch(stdio::contains);
            out.add(new LeakedProcess(s.pid(), s.ppid(), s.startTime(), s.state(),
                    Math.max(0, (now - s.startTime()) * 1000 / ticks), uid,
                    uid < 0 ? "?" : os.inspector().userName(uid).orElse(String.valueOf(uid)),
                    info.map(ProcessInfo::commandLine).orElse("[" + s.comm() + "]"), d, holds));
        }
        return out;
    }

    /**
     * Ends a leaked tree, identity-verified (see {@link LeakKiller}), and reaps at once those of its
     * processes that are now zombie children of the JVM and provably not the JDK's (see
     * {@link OrphanReaper#reapEnded}): nothing waits for the JDK's reaper threads here.
     */
    private String kill(List<ProcStat> tree) {
        LeakKiller.Outcome outcome = LeakKiller.kill(os, tree, settings.killGrace());
        OrphanReaper.reapEnded(os, tree);
        return outcome.action();
    }

    /** The janitor pids seen among the JVM's descendants and ignored, and the one running now. */
    private Set<Long> janitorsSeen() {
        Janitor.pid().ifPresent(janitors::add);
        return janitors;
    }

    /**
     * Orphan zombies of the JVM (it is a subreaper) are reaped; see {@link OrphanReaper}. The sweep
     * reads all of /proc, so it runs at most every two seconds (the reaper's own patience: nothing is
     * reaped later than it could be), not after every test; and always at the end.
     */
    private void reapOrphanZombies(boolean wait) {
        long now = System.nanoTime();
        if (!wait && now - lastOrphanSweep < 2_000_000_000L) {
            return;
        }
        lastOrphanSweep = now;
        OrphanReaper.reapStale(os, table.snapshot(), wait);
    }

    private void pruneWindows() {
        if (windows.size() < 10_000) {
            return;
        }
        long oldestPending = Long.MAX_VALUE;
        for (long start : pending.values()) {
            oldestPending = Math.min(oldestPending, start);
        }
        long horizon = Math.min(oldestPending, nowTicks() - 60 * table.clockTicksPerSecond());
        windows.values().removeIf(w -> w.end >= 0 && w.end < horizon);
    }

    private static String key(ProcStat s) {
        return s.pid() + ":" + s.startTime();
    }

    /** When a test or container ran, in clock ticks since boot. */
    private static final class Window {
        final TestRef ref;
        final long start;
        final long startPid;
        final boolean container;
        final boolean exempt;
        long end = -1;
        long endPid = -1;

        Window(TestRef ref, long start, long startPid, boolean container, boolean exempt) {
            this.ref = ref;
            this.start = start;
            this.startPid = startPid;
            this.container = container;
            this.exempt = exempt;
        }

        /** True when this window is a descendant of {@code other} in the test tree (by unique id). */
        boolean isWithin(Window other) {
            String id = ref.uniqueId();
            String parent = other.ref.uniqueId();
            return id.length() > parent.length() && id.startsWith(parent) && id.charAt(parent.length()) == '/';
        }
    }
}
