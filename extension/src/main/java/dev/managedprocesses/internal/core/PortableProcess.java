package dev.managedprocesses.internal.core;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessStartException;
import dev.managedprocesses.Signal;
import dev.managedprocesses.SignalDelivery;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.PlatformChoice;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.SignalResult;
import dev.managedprocesses.internal.os.SpawnRequest;
import dev.managedprocesses.internal.os.portable.PortableOs;
import dev.managedprocesses.internal.os.portable.PortableProcessControl;
import dev.managedprocesses.internal.reactor.Reactor;
import dev.managedprocesses.internal.safety.ProtectedProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A process tracked through the JDK alone, on the portable platform: one the JDK started for a scope (a
 * {@link Process}), or one adopted (a {@link ProcessHandle}, with its {@code Process} when given). The JDK
 * waits for and reaps it; it stays in the JVM's process group, since the JDK has no process groups.
 *
 * <p><b>Pid reuse.</b> The process and each of its descendants are held as {@link ProcessHandle}s, which carry
 * their start time: the JDK compares it right before every {@code destroy}, so a pid recycled since it was
 * found is never signalled (a window of microseconds remains between that check and the kill, as on Linux
 * without pidfds). Protected processes ({@link ProtectedProcesses}) are refused before each signal.
 *
 * <p><b>Descendants.</b> Without process groups the tree is found through parent links
 * ({@link ProcessHandle#descendants()}) from the process and from every descendant found before: when
 * teardown begins (before the first signal), before each signal, and each time teardown looks whether they
 * are gone, so what a dying process forks is found too, and a descendant whose parent died (re-parented to
 * init) stays known. Orphans of a process that ended before teardown began were never seen and are not
 * found: the native platform's scope cookie and subreaper cover those, this one cannot.
 *
 * <p><b>Exits.</b> The process's own through {@link Process#onExit()} (adopted by pid or handle: polled on the
 * reactor's timers, 1 ms doubling up to 50 ms), its descendants' polled the same way while teardown waits.
 * {@code ProcessHandle} calls a zombie alive until its parent (or init) reaps it, which some inits do only
 * every few seconds, and a container whose pid 1 is an application never. So where the JDK could read this
 * process's executable when it was tracked, a descendant whose executable can no longer be read counts as
 * ended: the system keeps no executable for a zombie (Linux, macOS). Limit: a descendant that switches to
 * another user whose executable this JVM may not read also counts as ended, and is no longer signalled. On Unix the JDK reports death by signal n as exit value 128 + n,
 * which is read back as "killed by signal n" (a process that exits with such a code by itself reads the same).
 *
 * <p><b>Output.</b> Each captured stream is read by a thread of its own into its {@link OutputBuffer}. When the
 * process exits, its end is recorded once both streams have ended, or after {@value #OUTPUT_WAIT_MILLIS} ms
 * when a descendant keeps a pipe open: what the process wrote is complete when {@code waitFor} returns.
 */
public final class PortableProcess extends TrackedProcess {
    /** How long the end of a process waits for its output streams to end (a descendant may hold them open). */
    static final long OUTPUT_WAIT_MILLIS = 500;
    /** How long teardown's release waits for the reader threads. */
    private static final long READERS_WAIT_MILLIS = 3000;
    private static final long MAX_POLL_MILLIS = 50;

    private final ProcessHandle root;
    private final Process jdk;
    private final OutputStream stdin;
    private final List<CompletableFuture<Void>> readers = new ArrayList<>(2);
    private final Map<Long, ProcessHandle> members = new ConcurrentHashMap<>();
    private final Object scan = new Object();
    private final boolean windows = PlatformChoice.onWindows();
    /**
     * Whether the JDK showed this process's executable: then a descendant without one has ended (a zombie). Read
     * when first needed (teardown), not on the start's hot path.
     */
    private volatile Boolean executablesReadable;
    private boolean polling;        // guarded by scan
    private long pollDelayMillis;   // guarded by scan

    private PortableProcess(Os os, ProcessHandle root, Process jdk, ProcessIdentity identity, List<String> command,
            Duration grace, Origin origin, OutputBuffer stdout, OutputBuffer stderr, OutputStream stdin) {
        super(os, identity, null, command, grace, origin, stdout, stderr);
        this.root = root;
        this.jdk = jdk;
        this.stdin = stdin;
    }

    /** Runs: alive, and not a zombie (see the class comment: a zombie has no executable to read). */
    private boolean runs(ProcessHandle process) {
        Boolean readable = executablesReadable;
        if (readable == null) {
            // The process itself if it still runs, else the JVM: both this JVM's user's, as its descendants mostly are.
            ProcessHandle probe = root.isAlive() ? root : ProcessHandle.current();
            readable = probe.info().command().isPresent();
            executablesReadable = readable;
        }
        return process.isAlive() && (!readable || process.info().command().isPresent());
    }

    /** Starts {@code request} through the JDK and watches it; see {@code ScopeCore.start}. */
    static PortableProcess start(Os os, SpawnRequest request, List<String> command, Duration grace, Charset charset,
            int outputLimit) {
        String shown = String.join(" ", command);
        Process process;
        try {
            process = os.spawner().startProcess(request);
        } catch (IOException e) {
            throw new ProcessStartException("Cannot start '" + shown + "': " + e.getMessage());
        }
        ProcessHandle handle = process.toHandle();
        String label = "pid " + process.pid() + " (" + shown + ")";
        boolean outPiped = request.stdout().kind() == SpawnRequest.Stdio.Kind.PIPE;
        boolean errPiped = request.stderr().kind() == SpawnRequest.Stdio.Kind.PIPE;
        OutputBuffer out = new OutputBuffer("stdout of " + label, charset, outputLimit, outPiped);
        OutputBuffer err = new OutputBuffer("stderr of " + label, charset, outputLimit, errPiped);
        OutputStream in = request.stdin().kind() == SpawnRequest.Stdio.Kind.PIPE ? process.getOutputStream()
                : new NoInput(() -> "stdin of " + label + " is not a pipe: it was redirected when the process was started. "
                        + "Leave stdin as a pipe (the default) to write to it");
        PortableProcess p = new PortableProcess(os, handle, process, identity(os, handle), command, grace,
                Origin.STARTED, out, err, in);
        if (outPiped) {
            p.readers.add(read(process.getInputStream(), out, "stdout", process.pid()));
        }
        if (errPiped) {
            p.readers.add(read(process.getErrorStream(), err, "stderr", process.pid()));
        }
        p.watchJdkExit();
        return p;
    }

    /**
     * Adopts the process that holds {@code pid} and started at {@code startTime} (portable ticks): the JDK's
     * {@code Process} when given ({@code jdk}), else the given handle, else a new one; see {@code ScopeCore.adopt}.
     *
     * @throws IllegalArgumentException when the process exited or its pid names another process now
     */
    static PortableProcess adopt(Os os, long pid, long startTime, Process jdk, ProcessHandle handle,
            List<String> command, Duration grace) {
        ProcessHandle h = jdk != null ? jdk.toHandle() : handle != null ? handle : ProcessHandle.of(pid).orElse(null);
        ProcessIdentity identity = h == null ? null : identity(os, h);
        if (h == null || !h.isAlive() || (startTime != 0 && identity.startTime() != startTime)) {
            throw new IllegalArgumentException("Cannot adopt pid " + pid + ": it exited (or its pid was reused) while "
                    + "being adopted");
        }
        PortableProcess p = new PortableProcess(os, h, jdk, identity, command, grace, Origin.ADOPTED,
                uncaptured("stdout", identity, command), uncaptured("stderr", identity, command), new NoInput(() -> "stdin of pid " + pid + " ("
                        + String.join(" ", command) + ") is not available: the process was adopted, not started by this library"));
        if (jdk != null) {
            p.watchJdkExit();
        } else {
            p.poll(); // only its parent can wait for it: look until it is gone
        }
        return p;
    }

    private static ProcessIdentity identity(Os os, ProcessHandle h) {
        return new ProcessIdentity(h.pid(), PortableOs.startTime(h), os.table().bootId());
    }

    /** A reader thread: the stream, line by line into {@code out}, until its end. */
    private static CompletableFuture<Void> read(InputStream in, OutputBuffer out, String stream, long pid) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (n > 0) {
                        out.append(buffer, n);
                    }
                }
            } catch (IOException e) {
                // the stream was closed under us: its end is all there is to record
            } finally {
                out.end();
                done.complete(null);
            }
        }, "managed-processes-" + stream + "-" + pid);
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** The JDK tells the exit; the end is recorded once the output is complete (or after the output wait). */
    private void watchJdkExit() {
        jdk.onExit().thenCompose(p -> CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new))
                .copy().completeOnTimeout(null, OUTPUT_WAIT_MILLIS, TimeUnit.MILLISECONDS))
                .thenRun(() -> {
                    recordEnd(status(jdk.exitValue()));
                    checkGone();
                });
    }

    /** The JDK reports death by signal n as 128 + n on Unix; Windows exit codes are 32 bits, of which the low byte is kept. */
    private ExitStatus status(int value) {
        if (!windows && value > 128 && value <= 128 + 64) {
            return ExitStatus.killedBySignalNumber(value - 128, false);
        }
        return ExitStatus.exited(value & 0xff);
    }

    // ---------------------------------------------------------------- descendants and the end

    /** Adds the live descendants of the process and of those found before: one parent-link walk per root. */
    private void findDescendants() {
        synchronized (scan) {
            List<ProcessHandle> from = new ArrayList<>();
            if (root.isAlive()) {
                from.add(root);
            }
            from.addAll(members.values());
            Set<Long> covered = new HashSet<>();
            for (ProcessHandle r : from) {
                if (covered.contains(r.pid())) {
                    continue; // found below an earlier root: its descendants were too
                }
                try (Stream<ProcessHandle> descendants = r.descendants()) {
                    descendants.forEach(d -> {
                        covered.add(d.pid());
                        if (d.pid() != root.pid() && runs(d) && ProtectedProcesses.reason(os.table(), d.pid()) == null) {
                            members.putIfAbsent(d.pid(), d);
                        }
                    });
                }
            }
        }
    }

    /** Starts polling (once) for the end of the process (when the JDK does not tell it) and of its descendants. */
    private void poll() {
        synchronized (scan) {
            if (polling || gone.isDone()) {
                return;
            }
            polling = true;
            pollDelayMillis = 1;
        }
        Reactor.get().schedule(1, this::pollOnce);
    }

    /** Reactor thread: forgets what has ended, looks for new descendants, and records the end. */
    private void pollOnce() {
        if (jdk == null && !ended.isDone() && !runs(root)) {
            recordEnd(null); // adopted by pid or handle: only its parent can read the status
        }
        if (!members.isEmpty()) {
            findDescendants(); // a dying process may fork: found while it still has a parent
            members.values().removeIf(h -> !runs(h));
        }
        checkGone();
        long delay;
        synchronized (scan) {
            if (gone.isDone() || (ended.isDone() && members.isEmpty())) {
                polling = false;
                return;
            }
            pollDelayMillis = Math.min(MAX_POLL_MILLIS, pollDelayMillis * 2);
            delay = pollDelayMillis;
        }
        Reactor.get().schedule(delay, this::pollOnce);
    }

    private void checkGone() {
        if (ended.isDone() && members.isEmpty() && !gone.isDone()) {
            recordGone();
        } else if (ended.isDone() && !members.isEmpty()) {
            poll();
        }
    }

    // ---------------------------------------------------------------- Terminator.Target and teardown

    /** Finds the descendants before the first signal, and starts watching them. */
    @Override
    public CompletableFuture<Void> watch() {
        findDescendants();
        if (!members.isEmpty()) {
            poll();
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Teardown's signal: to the process and every descendant, looked for again first. What this platform cannot
     * send at all (teardown's SIGCONT; SIGTERM on Windows) is skipped: the grace period and SIGKILL follow.
     */
    @Override
    protected void sendToAll(Signal signal) {
        if (!os.control().canSend(signal)) {
            return;
        }
        findDescendants();
        if (!ended.isDone()) {
            sendTo(root, signal);
        }
        for (ProcessHandle m : members.values()) {
            sendTo(m, signal);
        }
        poll();
    }

    private SignalResult sendTo(ProcessHandle process, Signal signal) {
        ProtectedProcesses.checkProcess(os.table(), process.pid(), "signal");
        return PortableProcessControl.send(process, signal);
    }

    @Override
    public List<ProcStat> members(List<ProcStat> snapshot) {
        List<ProcStat> out = new ArrayList<>();
        for (ProcStat s : snapshot) {
            if (s.pid() == pid() ? s.startTime() == identity.startTime() && !ended.isDone() : members.containsKey(s.pid())
                    && runs(members.get(s.pid()))) {
                out.add(s);
            }
        }
        return out;
    }

    /** Closes stdin; completes when the reader threads have read to the end (or after a bounded wait). */
    @Override
    public CompletableFuture<Void> afterTeardown() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // nothing to report: the process is gone
        }
        return CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).copy()
                .completeOnTimeout(null, READERS_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .whenComplete((v, t) -> {
                    stdout().end();
                    stderr().end();
                });
    }

    /** The process, one of the descendants found, or a live descendant by parent links: the scope will end it. */
    @Override
    public boolean answersFor(ProcStat s) {
        if (s.pid() == pid()) {
            return s.startTime() == identity.startTime();
        }
        if (members.containsKey(s.pid())) {
            return true;
        }
        if (!isAlive()) {
            return false;
        }
        long ppid = s.ppid();
        for (int depth = 0; depth < 64 && ppid > 1; depth++) {
            if (ppid == pid()) {
                return true;
            }
            ppid = os.table().stat(ppid).map(ProcStat::ppid).orElse(0L);
        }
        return false;
    }

    // ---------------------------------------------------------------- the process

    @Override
    public boolean isAlive() {
        return !ended.isDone() && (jdk != null ? jdk.isAlive() : runs(root));
    }

    @Override
    protected boolean statusKnowable() {
        return jdk != null;
    }

    @Override
    protected String unknownStatusReason() {
        return "it was adopted by pid or ProcessHandle, so only its parent can read the status (adopt the JDK "
                + "Process instead to keep it)";
    }

    @Override
    protected SignalResult deliver(Signal signal) {
        if (!os.control().canSend(signal)) {
            throw PortableProcessControl.unsupported(signal);
        }
        if (!isAlive()) {
            return SignalResult.NO_SUCH_PROCESS;
        }
        return sendTo(root, signal);
    }

    @Override
    public boolean signalGroup(Signal signal) {
        throw noGroups("signalGroup(" + signal + ")");
    }

    @Override
    protected void checkSuspendable(Signal signal) {
        throw PortableProcessControl.unsupported(signal);
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public List<ProcessInfo> descendants() {
        if (!isAlive()) {
            return List.of(); // gone: its pid may name a stranger now
        }
        List<ProcessInfo> out = new ArrayList<>();
        for (ProcStat s : os.table().descendants(pid())) {
            os.table().describe(s).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public long processGroup() {
        throw noGroups("processGroup()");
    }

    @Override
    public boolean isProcessGroupLeader() {
        throw noGroups("isProcessGroupLeader()");
    }

    @Override
    public Optional<ProcessHandle> toHandle() {
        return isAlive() ? Optional.of(root) : Optional.empty();
    }

    @Override
    public SignalDelivery signalDelivery() {
        return SignalDelivery.PROCESS_HANDLE;
    }

    private UnsupportedOperationException noGroups(String what) {
        return new UnsupportedOperationException(what + " of " + this + ": process groups do not exist on the portable "
                + "platform (" + System.getProperty("os.name") + "): the JDK starts children in the JVM's own group. "
                + "Use signal(...), terminate() or kill(), which also end the process's descendants, or descendants()");
    }
}
