package dev.managedprocesses.internal.core;

import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessStartException;
import dev.managedprocesses.internal.janitor.Janitor;
import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.ContainerException;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.SpawnException;
import dev.managedprocesses.internal.os.SpawnRequest;
import dev.managedprocesses.internal.os.SpawnRequest.Stdio;
import dev.managedprocesses.internal.os.Spawned;
import dev.managedprocesses.internal.reactor.Reactor;
import dev.managedprocesses.internal.safety.OrphanReaper;
import dev.managedprocesses.internal.safety.PinnedProcess;
import dev.managedprocesses.internal.safety.ProtectedProcesses;
import dev.managedprocesses.internal.safety.Subreaper;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine of one scope: what it started and adopted, and its teardown. The public
 * {@code ProcessScope} checks the caller's input and hands out handles; everything that touches
 * processes happens here.
 *
 * <p>Teardown: the scope is marked closed (nothing new can start), its escaped descendants are looked
 * for, then everything is ended by {@link Terminator}; a dying process may start new escapees, so more
 * rounds follow until a fresh look finds none, at most {@value #ESCAPEE_ROUNDS}; whatever the last look
 * still finds gets SIGKILL at once (up to {@value #KILL_ROUNDS} more looks for what it forked meanwhile) and
 * is reported as a process that kept escaping. Then every process releases what it holds ({@link TrackedProcess#afterTeardown()})
 * and a fresh snapshot verifies that nothing of the scope lives. Where the scope's cgroup holds everything
 * its processes forked, the looks are the exception: its processes get SIGTERM first, and only when the
 * kernel does not then say that the cgroup is empty is anything looked for (a {@link Terminator.Sweep}).
 */
public final class ScopeCore implements ScopeRegistry.Owner {

    /** The environment variable that marks every process a scope starts (and, by inheritance, their descendants). */
    public static final String SCOPE_VARIABLE = "MANAGED_PROCESSES_SCOPE";

    /** How many times teardown looks again for escapees that dying processes started. */
    private static final int ESCAPEE_ROUNDS = 5;
    /** After those, how many more looks end what is found with SIGKILL (which starts no successor). */
    private static final int KILL_ROUNDS = 3;
    /** How long teardown waits for the reactor to drain and close the output pipes. */
    private static final Duration STREAMS_WAIT = Duration.ofSeconds(5);

    private static final AtomicLong COUNTER = new AtomicLong();

    private final String id;
    private final String name;
    private final Duration gracePeriod;
    private final Object lock = new Object();
    private final List<TrackedProcess> processes = new ArrayList<>(); // started and adopted, in that order
    private final CompletableFuture<Teardown> closed = new CompletableFuture<>();
    private long firstStartTicks = Long.MAX_VALUE;
    private long firstPid;         // the first process this scope started, 0 before it
    private long forksBeforeFirst; // the kernel's fork count just before that spawn (-1: unknown)
    private boolean closing;
    private boolean tracked;
    private ScopeContainment containment; // guarded by lock: chosen with the first process

    /**
     * What {@link #close()} did.
     *
     * @param entries one per process: started, adopted, and escaped descendants found
     * @param survivors what was still alive after SIGKILL (empty when everything ended)
     * @param respawners what kept escaping, a fresh generation for each of the rounds, and was ended with
     *     SIGKILL after the last one (a teardown that did not converge: it fails all the same)
     * @param containment the mechanism that held the scope's processes (null when it started none)
     */
    public record Teardown(List<TeardownEntry> entries, List<ProcessInfo> survivors, List<ProcessInfo> respawners,
            String containment) {
    }

    public ScopeCore(String name, Duration gracePeriod) {
        this.name = name;
        this.gracePeriod = gracePeriod;
        this.id = ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        ScopeRegistry.opened(this);
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Duration gracePeriod() {
        return gracePeriod;
    }

    // ---------------------------------------------------------------- ScopeRegistry.Owner

    /** The scope's cookie entry, {@code MANAGED_PROCESSES_SCOPE=<id>}, in the environment of what it starts. */
    String marker() {
        return SCOPE_VARIABLE + "=" + id;
    }

    @Override
    public boolean ownsDirectly(ProcStat s) {
        synchronized (lock) {
            for (TrackedProcess p : processes) {
                if (p.heldGroup() == s.pgid()
                        || (s.pid() == p.pid() && s.startTime() == p.identity().startTime()) || p.answersFor(s)) {
                    return true;
                }
            }
            return false;
        }
    }

    @Override
    public boolean owns(ProcStat s) {
        ScopeContainment c;
        synchronized (lock) {
            c = containment;
        }
        return c != null && c.owns(s);
    }

    /** Under the lock: the scope's mechanism, chosen with its first process; may refuse ({@code required}). */
    private ScopeContainment containment(Os os) {
        if (containment == null) {
            containment = ScopeContainment.forScope(os, id, marker());
        }
        return containment;
    }

    // ---------------------------------------------------------------- start and adopt

    /** True once {@link #close()} has begun. */
    public boolean isClosed() {
        synchronized (lock) {
            return closing;
        }
    }

    /** Throws {@link IllegalStateException} saying what could not be done, once the scope is closing. */
    public void checkOpen(String action) {
        synchronized (lock) {
            if (closing) {
                throw new IllegalStateException("Cannot " + action + ": ProcessScope '" + name + "' is closed"
                        + " (its processes were torn down). Start processes only while the scope is open (inside "
                        + "the test or lifecycle method that received it)");
            }
        }
    }

    /** The processes started or adopted, in that order. */
    public List<TrackedProcess> processes() {
        synchronized (lock) {
            return List.copyOf(processes);
        }
    }

    /** Starts {@code plan} in a process group of its own. */
    public TrackedProcess start(SpawnPlan plan) {
        List<String> command = plan.command();
        // Every check before anything starts (the reactor, the subreaper, the janitor); checked again under the lock.
        checkOpen("start " + String.join(" ", command));
        Path dir = plan.directory();
        if (dir != null) {
            dir = dir.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new ProcessStartException("Cannot start '" + command.get(0) + "': working directory " + dir
                        + (Files.exists(dir) ? " is not a directory" : " does not exist")
                        + ". Create it first or pass an existing directory to directory(...)");
            }
        }
        Os os = Os.current();
        // On the native platforms an absolute path goes to the spawn unchecked; a failed spawn then says why.
        String executable = os.portable() ? ProgramResolver.resolve(command.get(0), dir)
                : ProgramResolver.forSpawn(command.get(0), dir);
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : plan.environment().entrySet()) {
            if (!e.getKey().equals(SCOPE_VARIABLE)) {
                env.add(e.getKey() + "=" + e.getValue());
            }
        }
        env.add(marker());
        Stdio stderr = plan.mergeStderr() ? Stdio.SAME_AS_STDOUT : stdio(plan.stderr());
        SpawnRequest request = new SpawnRequest(executable, command, env, dir == null ? null : dir.toString(),
                stdio(plan.stdin()), stdio(plan.stdout()), stderr);
        String shown = String.join(" ", command);
        if (os.portable()) {
            return startThroughJdk(os, plan, request, shown);
        }
        Reactor reactor = Reactor.get();
        Subreaper.ensure(os.control());
        Janitor.ensureStarted();
        synchronized (lock) {
            // Spawning under the lock: close() can never miss a process that is being started.
            checkOpen("start " + shown);
            ScopeContainment c = containment(os);
            track(c); // before the spawn: should the JVM die right after it, the janitor can end the process
            Container container;
            try {
                container = c.containerForSpawn();
            } catch (ContainerException e) {
                throw new ProcessStartException("Cannot start '" + shown + "': cannot create its cgroup: "
                        + e.getMessage());
            }
            long forks = firstPid == 0 ? os.table().forkCount() : 0;
            Spawned spawned;
            try {
                spawned = os.spawner().spawn(request.contained(container, c.marker(), c::afterMarked));
            } catch (SpawnException e) {
                removeQuietly(container);
                ProgramResolver.resolve(command.get(0), dir); // throws where the program is missing or unrunnable
                throw new ProcessStartException("Cannot start '" + shown + "': posix_spawn failed with "
                        + e.errnoName() + " (" + e.getMessage() + ")" + hint(e.errnoName()));
            }
            boolean containerHoldsGroup = c.afterSpawn(spawned.pid(), container);
            String label = "pid " + spawned.pid() + " (" + shown + ")";
            OutputBuffer out = new OutputBuffer("stdout of " + label, plan.charset(), plan.outputLimit(),
                    request.stdout().kind() == Stdio.Kind.PIPE);
            OutputBuffer err = new OutputBuffer("stderr of " + label, plan.charset(), plan.outputLimit(),
                    request.stderr().kind() == Stdio.Kind.PIPE);
            SpawnedGroup p = SpawnedGroup.watch(os, reactor, spawned, container, containerHoldsGroup, command,
                    gracePeriod, out, err);
            processes.add(p);
            firstStartTicks = Math.min(firstStartTicks, p.identity().startTime());
            if (firstPid == 0) {
                firstPid = p.pid();
                forksBeforeFirst = forks;
            }
            return p;
        }
    }

    private static void removeQuietly(Container container) {
        if (container != null) {
            try {
                container.remove();
            } catch (ContainerException e) {
                // nothing was started in it; the scope's removal takes it if it is still there
            }
        }
    }

    /**
     * The portable platform: the JDK starts the child ({@code ProcessBuilder}) and owns it; there is no process
     * group, subreaper or janitor to prepare. Under the lock, as in {@link #start}.
     */
    private TrackedProcess startThroughJdk(Os os, SpawnPlan plan, SpawnRequest request, String shown) {
        synchronized (lock) {
            checkOpen("start " + shown);
            track(containment(os));
            PortableProcess p = PortableProcess.start(os, request, plan.command(), gracePeriod, plan.charset(),
                    plan.outputLimit());
            processes.add(p);
            return p;
        }
    }

    /** The portable platform's adoption, after the checks of {@link #adopt}: a {@link PortableProcess}. */
    private TrackedProcess adoptThroughJdk(Os os, ProcStat stat, Process jdk, ProcessHandle handle) {
        String commandLine = os.table().describe(stat).map(ProcessInfo::commandLine).orElse("[" + stat.comm() + "]");
        synchronized (lock) {
            checkOpen("adopt pid " + stat.pid());
            track(containment(os));
            PortableProcess p = PortableProcess.adopt(os, stat.pid(), stat.startTime(), jdk, handle,
                    Arrays.asList(commandLine.split(" ")), gracePeriod);
            processes.add(p);
            return p;
        }
    }

    private static Stdio stdio(Redirect r) {
        if (r == Redirect.PIPE) {
            return Stdio.PIPE;
        }
        if (r == Redirect.INHERIT) {
            return Stdio.INHERIT;
        }
        if (r == Redirect.DISCARD) {
            return Stdio.DISCARD;
        }
        String file = r.file().getAbsolutePath();
        return switch (r.type()) {
            case READ -> new Stdio(Stdio.Kind.READ_FILE, file);
            case WRITE -> new Stdio(Stdio.Kind.WRITE_FILE, file);
            case APPEND -> new Stdio(Stdio.Kind.APPEND_FILE, file);
            default -> throw new IllegalArgumentException("Unsupported redirect " + r);
        };
    }

    private static String hint(String errno) {
        return switch (errno) {
            case "ENOEXEC" -> ": the file is neither a binary nor a script with a #! line; run it through an interpreter";
            case "EACCES" -> ": permission denied; check the file's and its directories' permissions";
            case "ENOENT" -> ": the program or its interpreter (#! line) does not exist";
            case "E2BIG" -> ": the arguments and environment are too long";
            default -> "";
        };
    }

    /**
     * Takes responsibility for a process started elsewhere; see the public {@code ProcessScope.adopt}.
     * Returns the process already tracked when {@code pid} is one of this scope's live processes.
     *
     * @param jdk the JDK {@code Process}, when adopted as one (its status stays readable), else null
     * @param handle the JDK {@code ProcessHandle}, when adopted as one, else null
     * @param expectedExecutable what it must run, or null
     * @throws IllegalArgumentException when it is protected, gone, not what was expected
     */
    public TrackedProcess adopt(long pid, Process jdk, ProcessHandle handle, Path expectedExecutable) {
        // Validate first: input that is refused starts nothing (no reactor thread, no janitor process).
        checkOpen("adopt pid " + pid);
        Os os = Os.current();
        String why = ProtectedProcesses.reason(os.table(), pid);
        if (why != null) {
            throw new IllegalArgumentException("Cannot adopt pid " + pid + ": it is " + why
                    + ". Adopt only processes that your test started");
        }
        synchronized (lock) {
            for (TrackedProcess p : processes) {
                if (p.pid() == pid && p.isAlive()) {
                    return p; // already ours
                }
            }
        }
        ProcStat before = os.table().stat(pid).orElseThrow(() -> new IllegalArgumentException("Cannot adopt pid "
                + pid + ": no such process. Adopt a process while it is running"));
        if (before.isGone()) {
            throw new IllegalArgumentException("Cannot adopt pid " + pid + ": it has already exited (it is a zombie "
                    + "waiting for its parent to reap it)");
        }
        // Identity: the pidfd first, then a check that the pid still names the same process.
        PinnedProcess.Pin pin = PinnedProcess.pin(os, pid, before.startTime());
        String problem = null;
        if (!pin.pinned()) {
            problem = "it exited (or its pid was reused) while being adopted";
        } else if (jdk != null && !jdk.isAlive()) {
            problem = "the Process has already exited (exit value " + jdk.exitValue() + ")";
        } else if (handle != null && !handle.isAlive()) {
            problem = "the ProcessHandle's process has already exited";
        } else if (expectedExecutable != null) {
            String exe = os.table().executable(pid).orElse("(unreadable)");
            if (!executableMatches(exe, expectedExecutable)) {
                problem = "it runs " + exe + ", not the expected " + expectedExecutable;
            }
        }
        if (problem != null) {
            if (pin.pinned()) {
                pin.process().close();
            }
            throw new IllegalArgumentException("Cannot adopt pid " + pid + ": " + problem);
        }
        if (os.portable()) {
            pin.process().close(); // it held the identity only: the JDK's handle carries it from here on
            return adoptThroughJdk(os, pin.stat(), jdk, handle);
        }
        synchronized (lock) {
            try {
                containment(os); // chosen (or refused: cgroups required here) before anything is done to it
            } catch (IllegalStateException e) {
                pin.process().close();
                throw e;
            }
        }
        Reactor.get();
        Janitor.ensureStarted();
        int err = os.control().moveToOwnGroup(pid);
        String groupNote = switch (err) {
            case 0 -> "moved into a process group of its own";
            case 13 -> "it has already exec'd, so POSIX forbids moving it into a new process group (EACCES)";
            case 1 -> "it is in another session (EPERM)";
            case 3 -> "it is not a child of this JVM (ESRCH)";
            default -> "setpgid failed with errno " + err;
        };
        ProcessInfo info = os.table().describe(pin.stat()).orElseThrow();
        SoloProcess solo;
        synchronized (lock) {
            if (closing) {
                pin.process().close();
                checkOpen("adopt pid " + pid);
            }
            ScopeContainment c;
            try {
                c = containment(os);
                track(c);
            } catch (IllegalStateException e) {
                pin.process().close();
                throw e;
            }
            Container container = null;
            try {
                container = c.adopt(pid, before.startTime());
            } catch (ContainerException e) {
                // It cannot be moved here (another user's process, outside this JVM's cgroup): its pidfd and
                // its descendants' still end it, as without cgroups.
            }
            solo = new SoloProcess(os, pin.process(), container, Arrays.asList(info.commandLine().split(" ")),
                    gracePeriod, TrackedProcess.Origin.ADOPTED, jdk, err == 0, groupNote);
            processes.add(solo);
            solo.start();
        }
        return solo;
    }

    private static boolean executableMatches(String exe, Path expected) {
        String actual = exe.endsWith(" (deleted)") ? exe.substring(0, exe.length() - 10) : exe;
        if (expected.getParent() == null) {
            return Path.of(actual).getFileName().toString().equals(expected.toString());
        }
        try {
            return Path.of(actual).equals(expected.toRealPath());
        } catch (java.io.IOException e) {
            return Path.of(actual).equals(expected.toAbsolutePath().normalize());
        }
    }

    /**
     * Under the lock, on the first process: the janitor learns this scope's cookie (to find escaped
     * descendants after a crash) and the exit hook learns to close this scope if nobody else does.
     */
    private void track(ScopeContainment c) {
        if (!tracked) {
            ExitTeardown.opened(this);
            tracked = true;
            if (c instanceof CgroupScope) {
                // Membership decides: the janitor kills the JVM's cgroups and the scope's marker carriers, never
                // by cookie (a stranger may carry a copy of it).
                Janitor.registerContainment(ContainmentMode.containment(Os.current()).crashKillFile());
                Janitor.registerScope(null, c.marker());
            } else {
                Janitor.registerScope(id, c.marker());
            }
        }
    }

    private void untrack() {
        boolean was;
        synchronized (lock) {
            was = tracked;
            tracked = false;
        }
        if (was) {
            ScopeContainment c;
            synchronized (lock) {
                c = containment;
            }
            if (c != null) {
                Janitor.unregisterScope(c instanceof CgroupScope ? null : id, c.marker());
            }
            ExitTeardown.closed(this);
        }
    }

    // ---------------------------------------------------------------- teardown

    /**
     * Ends every process of this scope, everything in their groups, and every descendant that escaped its
     * group. Idempotent: a second call returns the first one's result (waiting for it if it runs).
     */
    public Teardown close() {
        List<TrackedProcess> targets;
        ScopeContainment c;
        synchronized (lock) {
            if (closing) {
                targets = null;
            } else {
                closing = true;
                targets = new ArrayList<>(processes);
            }
            c = containment;
        }
        if (targets == null) {
            return closed.join();
        }
        Map<Long, ProcessInfo> survivors = new LinkedHashMap<>();
        Map<Long, ProcessInfo> respawners = new LinkedHashMap<>();
        Map<TrackedProcess, Boolean> leftover = new LinkedHashMap<>();
        List<TeardownEntry> entries = List.of();
        try {
            if (c != null) {
                entries = teardown(c, targets, survivors, respawners, leftover);
            } else if (Subreaper.isActive()) {
                // Nothing of this scope's own to end, but every close is a chance to reap stale orphans.
                Os os = Os.current();
                OrphanReaper.reapStale(os, os.table().snapshot(), false);
            }
        } finally {
            ScopeRegistry.closed(this);
            untrack();
            // Last, so that the reactor's closes and removals (a hundred cgroups take milliseconds) do not compete
            // with the rest of close() for the CPUs: the descriptors and first the processes' cgroups, then the
            // scope's (c.close()), whether the teardown ended normally or not; nothing held stays held.
            for (TrackedProcess t : targets) {
                t.releaseWhenIdle();
            }
            if (c != null) {
                c.close();
            }
            closed.complete(new Teardown(entries, List.copyOf(survivors.values()), List.copyOf(respawners.values()),
                    c == null ? null : c.mechanism()));
        }
        return closed.join();
    }

    /** The teardown of a scope that started or adopted something; returns the records. */
    private List<TeardownEntry> teardown(ScopeContainment c, List<TrackedProcess> targets,
            Map<Long, ProcessInfo> survivors, Map<Long, ProcessInfo> respawners, Map<TrackedProcess, Boolean> leftover) {
        Os os = Os.current();
        Terminator.Target whole = c.target(); // the kernel's view of the scope: gone when its cgroup is empty
        boolean held = whole != null;
        for (TrackedProcess t : targets) {
            held &= t.containerHoldsAll();
        }
        // Where everything the scope started is in its cgroup with all it forked, its known processes get SIGTERM
        // at once, and only if the kernel does not then say that the cgroup is empty is there anything else (an
        // escapee in a session of its own) to look for; it gets SIGTERM and a grace period then. Elsewhere the
        // escapees are looked for first.
        List<ProcStat> snapshot = new ArrayList<>();
        if (!held) {
            snapshot.addAll(look(os, targets));
            targets.addAll(findEscapees(os, c, targets, snapshot));
        }
        for (TrackedProcess t : targets) {
            leftover.put(t, !t.isGone());
            if (!t.ended.isDone()) {
                // What one the teardown ends frees is released once it is over. One that had ended before (exited, its
                // reap not yet done) releases it at its reap, which close() waits for: its descriptors are closed by the
                // time close() returns, as they would have been had it been reaped a moment sooner.
                t.leaveReleasesToScope();
            }
        }
        List<Terminator.Target> all = new ArrayList<>(targets);
        Terminator.Sweep sweep = null;
        ScopeProof proof = null;
        boolean[] sweptEmpty = {false};
        if (held) {
            // The kernel's one word that the scope's cgroup is empty proves every group's end: the exits need no
            // read of a cgroup.events of their own.
            proof = ScopeProof.start(Reactor.get(), targets, whole.gone(), c::provenEmpty);
            List<ProcStat> looked = snapshot;
            sweep = new Terminator.Sweep() {
                @Override
                public List<? extends Terminator.Target> more() {
                    if (c.provenEmpty() && !marksOutside(c)) {
                        sweptEmpty[0] = true; // nothing of the scope lives, so nothing can be born of it any more
                        return List.of();
                    }
                    looked.addAll(look(os, targets));
                    List<TrackedProcess> escapees = findEscapees(os, c, targets, looked);
                    escapees.forEach(t -> leftover.put(t, true));
                    targets.addAll(escapees);
                    List<Terminator.Target> more = new ArrayList<>(escapees);
                    more.add(whole);
                    all.addAll(more);
                    return more;
                }

                @Override
                public CompletableFuture<?> ready() {
                    // The scope's cgroup empty: every process is dead, only the reaps are left (the reactor's),
                    // and the closing thread's checks need not wait for them.
                    return whole.gone();
                }
            };
        } else if (whole != null) {
            all.add(whole); // killed at once (cgroup.kill) at the SIGKILL step
        }
        Terminator.terminate(os.table(), all, gracePeriod, sweep).forEach(i -> survivors.put(i.pid(), i));
        if (proof != null && !whole.isGone()) {
            proof.abandonAndAwait(targets);
        }
        boolean provenEmpty = held && whole.isGone() && allGone(targets) && (sweptEmpty[0] || !marksOutside(c));
        // A dying process may have started new escapees: more rounds until a fresh look finds none. Something
        // that keeps replacing itself faster than it dies is not waited out forever: what the last look still
        // finds gets SIGKILL without another grace period, and close() fails naming it. Where the kernel has
        // said the scope's cgroup is empty, and it held everything, nothing can be left to look for.
        for (int round = 1; !provenEmpty; round++) {
            snapshot = look(os, targets);
            List<TrackedProcess> more = findEscapees(os, c, targets, snapshot);
            if (more.isEmpty()) {
                break;
            }
            more.forEach(t -> leftover.put(t, true));
            targets.addAll(more);
            if (round >= ESCAPEE_ROUNDS) {
                if (round == ESCAPEE_ROUNDS) {
                    for (TrackedProcess t : more) {
                        for (ProcStat s : t.members(snapshot)) {
                            os.table().describe(s).ifPresent(i -> respawners.putIfAbsent(i.pid(), i));
                        }
                    }
                }
                // SIGKILL runs no handler, so no successor follows; a few more looks take what the killed forked
                // just before (a child it had not yet been seen with).
                Terminator.kill(os.table(), more).forEach(i -> survivors.put(i.pid(), i));
                if (round == ESCAPEE_ROUNDS + KILL_ROUNDS) {
                    break;
                }
                continue;
            }
            Terminator.terminate(os.table(), more, gracePeriod).forEach(i -> survivors.put(i.pid(), i));
        }
        afterTeardown(targets);
        // Verify: nothing of the scope may live. A target that is gone (reaped, its group empty; the whole
        // cgroup empty) needs no look; for any other, a fresh snapshot names what is left.
        boolean fresh = false;
        for (Terminator.Target t : all) {
            if (!t.isGone()) {
                if (!fresh) {
                    snapshot = look(os, targets);
                    fresh = true;
                }
                for (ProcStat s : t.members(snapshot)) {
                    os.table().describe(s).ifPresent(i -> survivors.putIfAbsent(i.pid(), i));
                }
            }
        }
        List<TeardownEntry> out = new ArrayList<>();
        for (TrackedProcess t : targets) {
            out.add(t.entry(leftover.getOrDefault(t, false), survivors.containsKey(t.pid()) || !t.isGone(),
                    c.mechanism()));
        }
        Set<Long> adopted = new HashSet<>();
        for (TrackedProcess t : targets) {
            if (t.origin() == TrackedProcess.Origin.ADOPTED) {
                adopted.add(t.pid());
            }
        }
        // The orphans of the scope that died as this JVM's children (it is a subreaper) are among its children.
        // Only zombies among them count here: where the kernel says this JVM has none, its children need no reading.
        List<ProcStat> children = provenEmpty
                ? (os.control().mayHaveZombieChild() ? os.table().childrenOfSelf() : List.of()) : null;
        c.reapOrphans(os, provenEmpty ? children : snapshot, adopted);
        // The JVM's own children too: zombies older than this scope that nobody reaps are reaped here as well.
        Map<Long, ProcStat> both = new LinkedHashMap<>();
        for (ProcStat s : snapshot) {
            both.put(s.pid(), s);
        }
        for (ProcStat s : provenEmpty ? children : os.table().childrenOfSelf()) {
            both.putIfAbsent(s.pid(), s);
        }
        OrphanReaper.reapStale(os, List.copyOf(both.values()), false);
        return List.copyOf(out); // close() hands the releases to the reactor as it returns
    }

    /**
     * A look at the processes teardown may have to end: everything the scope started, and all it forked, was
     * born after its first process, so only the pids allocated since then are read (a handful, not the whole
     * process table), where the kernel's counters prove none was handed out twice meanwhile. A scope that
     * adopted a process (older than all that, with descendants of its own) looks at the whole table.
     */
    private List<ProcStat> look(Os os, List<TrackedProcess> targets) {
        long first;
        long forks;
        synchronized (lock) {
            first = firstPid;
            forks = forksBeforeFirst;
        }
        boolean adopted = false;
        for (TrackedProcess t : targets) {
            adopted |= t.origin() == TrackedProcess.Origin.ADOPTED;
        }
        return first == 0 || adopted ? os.table().snapshot() : os.table().snapshotSince(first, forks);
    }

    /**
     * Whether a process outside the scope's cgroup carries its marks (see {@link ScopeContainment#marksOutside}):
     * then the scope's empty cgroup does not prove that nothing of the scope lives, and teardown looks.
     */
    private boolean marksOutside(ScopeContainment c) {
        long first;
        long ticks;
        synchronized (lock) {
            first = firstPid;
            ticks = firstStartTicks;
        }
        return c.marksOutside(first, ticks == Long.MAX_VALUE ? 0 : ticks);
    }

    private static boolean allGone(List<TrackedProcess> targets) {
        for (TrackedProcess t : targets) {
            if (!t.isGone()) {
                return false;
            }
        }
        return true;
    }

    /** Every target releases what it holds, at once; waits (a bounded time) until all have. */
    private static void afterTeardown(List<TrackedProcess> targets) {
        List<CompletableFuture<Void>> done = new ArrayList<>(targets.size());
        for (TrackedProcess t : targets) {
            done.add(t.afterTeardown());
        }
        BoundedWait.all(done, STREAMS_WAIT); // past it the reactor is wedged: nothing to do beyond not hanging the test
    }

    /**
     * The escaped descendants in {@code snapshot}, found by the scope's mechanism ({@link ScopeContainment#strays}),
     * each pinned by its pidfd and watched. Only processes started after the scope's first process count.
     */
    private List<TrackedProcess> findEscapees(Os os, ScopeContainment c, List<TrackedProcess> known,
            List<ProcStat> snapshot) {
        long threshold;
        synchronized (lock) {
            threshold = firstStartTicks;
        }
        List<TrackedProcess> found = new ArrayList<>();
        for (ProcStat s : c.strays(known, snapshot, threshold == Long.MAX_VALUE ? 0 : threshold)) {
            PinnedProcess.Pin pin = PinnedProcess.pin(os, s.pid(), s.startTime());
            if (!pin.pinned()) {
                continue;
            }
            String cmd = os.table().describe(pin.stat()).map(ProcessInfo::commandLine).orElse("[" + s.comm() + "]");
            SoloProcess escapee = new SoloProcess(os, pin.process(), null, Arrays.asList(cmd.split(" ")), gracePeriod,
                    TrackedProcess.Origin.ESCAPED, null, false, "it escaped its process group");
            escapee.start();
            found.add(escapee);
        }
        return found;
    }

    @Override
    public String toString() {
        return "ProcessScope '" + name + "' (" + id + ")";
    }

}
