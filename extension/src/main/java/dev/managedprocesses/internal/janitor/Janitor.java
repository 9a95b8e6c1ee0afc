package dev.managedprocesses.internal.janitor;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.SpawnException;
import dev.managedprocesses.internal.os.SpawnRequest;
import dev.managedprocesses.internal.os.SpawnRequest.Stdio;
import dev.managedprocesses.internal.os.Spawned;
import dev.managedprocesses.internal.reactor.Reactor;
import dev.managedprocesses.internal.safety.ChildGate;
import dev.managedprocesses.internal.safety.ProtectedProcesses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Crash safety: a tiny process beside the JVM that ends the JVM's processes when the JVM dies without
 * running its shutdown hooks (SIGKILL from a Surefire timeout, the OOM killer, a debugger stop).
 *
 * <p>The janitor is a POSIX {@code sh} script ({@code janitor.sh} beside this class), started with
 * the first managed process, in a session of its own (signals to the JVM's group or session do not
 * reach it). Its stdin is the read end of a pipe whose only write end this JVM holds, close-on-exec,
 * so no child inherits it: the janitor sees end of input exactly when this JVM is gone, however it
 * died. The JVM tells it, one short line per event, every process group, single process and scope
 * cookie it owns (with identity: pid and start time) and every one it has ended. On end of input
 * without a prior {@code bye}, the janitor sends SIGTERM (+SIGCONT) to what is still registered and
 * still has its registered identity, and to every live process whose environment carries a
 * registered scope cookie (escaped descendants), waits {@link #GRACE} at most, sends SIGKILL and exits.
 * It never touches a process whose identity no longer matches. At normal exit a shutdown hook ends
 * the open scopes first, then says {@link #bye()}, and the janitor exits quietly.
 *
 * <p>Why a shell script and not a second JVM: it runs beside every test JVM, so it must be light (a shell
 * starts in milliseconds and holds a megabyte or two; the numbers are in the README, measured by
 * {@code JanitorFootprintTest}). It needs {@code /bin/sh}, {@code grep} (with {@code -z}) and {@code sleep}
 * on the {@code PATH}, which every Linux with a shell has.
 *
 * <p>The JVM side is cheap and never blocks: registrations are short lines written to a non-blocking
 * pipe. What no scope cookie covers is written at once: a scope cookie itself, an adopted process
 * ({@link #registerProcess}) and an adopted group ({@link #registerAdoptedGroup}). Only the groups a
 * scope spawns, whose every member carries the scope's cookie, wait to be written in one batch per
 * {@value #REGISTRATION_DELAY_MILLIS} ms (one that ends sooner is never written at all). If the pipe is
 * full (the janitor is starved of CPU), lines wait in memory and the reactor flushes them. A janitor that ends while the JVM runs (someone killed it) is reaped and
 * replaced, and the new one is told everything still registered; each replacement prints one warning
 * line. If it cannot start at all, one warning line says why and crash safety is off; processes are
 * then still ended at normal exit by the shutdown hook.
 *
 * <pre>{@code
 * OptionalLong janitor = Janitor.pid(); // for a leak detector: this process is ours, never a leak
 * }</pre>
 */
public final class Janitor {
    /** System property; {@code false} switches the janitor off (no warning), leaving only the shutdown hook. */
    public static final String PROPERTY = "managedprocesses.janitor";

    /** Test hook: the shell that runs the janitor script. */
    static final String SHELL_PROPERTY = "managedprocesses.internal.janitor.shell";

    /**
     * Grace period between SIGTERM and SIGKILL after a crash. Short on purpose: nothing waits for a
     * clean shutdown any more, and a CI agent should be cleared fast; a server still gets time to
     * release its port and files.
     */
    public static final Duration GRACE = Duration.ofSeconds(1);

    /** A janitor that ended unexpectedly is replaced this many times at most (a broken shell must not loop). */
    static final int MAX_STARTS = 4;

    /**
     * How long a new spawned process group ({@link #registerGroup}) waits before the janitor is told
     * about it, batched with the others of that moment. One that is gone by then (a {@code true}, a
     * {@code git status}) costs the janitor nothing: its registration and unregistration cancel out in
     * memory, and the janitor, a shell that reads its pipe a byte at a time, is not woken twice per
     * process on a machine where it competes with the tests for CPU. Crash safety meanwhile: the
     * scope's cookie, registered at once, is in the environment of every process it starts, so a crash
     * in those milliseconds still ends them (only a member that dropped the cookie from its environment
     * within them would be missed). Adopted processes and groups carry no cookie, so they are never
     * delayed.
     */
    public static final long REGISTRATION_DELAY_MILLIS = 20;

    /** Without pidfds, how often the reactor checks that the janitor still runs. */
    private static final long POLL_MILLIS = 500;

    /** The janitor's exit status after {@code bye}. */
    static final int EXIT_BYE = 0;
    /** The janitor's exit status after it ended the processes of a dead JVM. */
    static final int EXIT_CLEANED_UP = 2;
    /** The janitor's exit status when its pipe reached end of input although this JVM still runs. */
    static final int EXIT_PIPE_CLOSED = 3;

    private static final Object LOCK = new Object();
    /** Live registrations ("g 123 456"), replayed to a replacement janitor. Guarded by LOCK. */
    private static final Set<String> LIVE = new LinkedHashSet<>();
    /** Registrations of processes and groups the janitor has not been told yet (see {@link #REGISTRATION_DELAY_MILLIS}). */
    private static final Set<String> DELAYED = new LinkedHashSet<>();
    /** Unregistrations the janitor has not been told yet ({@link #unregisterGroups}). Guarded by LOCK. */
    private static final Set<String> DELAYED_REMOVALS = new LinkedHashSet<>();
    private static boolean flushScheduled; // guarded by LOCK
    private static volatile boolean started;
    private static volatile long currentPid;
    private static Running current;   // guarded by LOCK
    private static boolean finished;  // guarded by LOCK: switched off, given up, or bye sent
    private static int starts;        // guarded by LOCK

    private Janitor() {
    }

    /**
     * The pid of the running janitor, for leak detection to ignore; empty when none runs (not started
     * yet, switched off, could not start, or this JVM is exiting).
     */
    public static OptionalLong pid() {
        long pid = currentPid;
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /**
     * Starts the janitor unless it runs already (or was switched off with {@code -D}{@value #PROPERTY}{@code =false}).
     * Cheap after the first call. When it cannot start, prints one warning line saying why.
     */
    public static void ensureStarted() {
        if (started) {
            return;
        }
        synchronized (LOCK) {
            if (started) {
                return;
            }
            started = true;
            if (finished) {
                return; // bye() has run: the JVM is exiting
            }
            if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim()) || Os.current().portable()) {
                // Switched off, or the portable platform: the script needs /proc and a pipe of our own, which the
                // JDK alone cannot give. There only the shutdown hook ends what runs (README, "Platforms").
                finished = true;
                LIVE.clear();
                return;
            }
            String failure = launch();
            if (failure != null) {
                giveUp("cannot start the janitor process (" + failure + ")");
            }
        }
    }

    /**
     * Registers a process group a scope spawned, led by {@code pgid}, whose leader started at
     * {@code startTime} (clock ticks). Its members carry the scope's cookie, so it is written after
     * {@value #REGISTRATION_DELAY_MILLIS} ms, batched.
     */
    public static void registerGroup(long pgid, long startTime) {
        add("g " + pgid + " " + startTime, true);
    }

    /**
     * Registers a process group whose members carry no scope cookie (an adopted process moved into a
     * group of its own): written at once, since nothing else would let the janitor find it after a
     * crash. Unregistered with {@link #unregisterGroup}.
     */
    public static void registerAdoptedGroup(long pgid, long startTime) {
        add("g " + pgid + " " + startTime, false);
    }

    /** The group is empty and its leader is about to be reaped (after that its id may be recycled). */
    public static void unregisterGroup(long pgid, long startTime) {
        remove("g " + pgid + " " + startTime);
    }

    /**
     * {@link #unregisterGroup} for groups (each {@code {pgid, startTime}}) whose leaders are about to be reaped
     * in a burst (a teardown): the janitor is told with the next batch of registrations, not woken once per
     * leader. Telling it late is safe because it signals a group only while a process with the leader's pid
     * and start time still holds the group id; once the leader is reaped, a stale entry matches nothing.
     */
    public static void unregisterGroups(List<long[]> groups) {
        synchronized (LOCK) {
            for (long[] g : groups) {
                String entry = "g " + g[0] + " " + g[1];
                if (forget(entry)) {
                    DELAYED_REMOVALS.add(entry);
                    scheduleFlush();
                }
            }
        }
    }

    /**
     * Registers a single process (adopted, or an escaped descendant), written at once: an adopted one
     * carries no scope cookie, so until the janitor reads this line nothing would end it after a crash.
     */
    public static void registerProcess(long pid, long startTime) {
        add("p " + pid + " " + startTime, false);
    }

    /** The process is gone. */
    public static void unregisterProcess(long pid, long startTime) {
        remove("p " + pid + " " + startTime);
    }

    /**
     * Registers a scope: after a crash, every live process carrying its {@code cookie} in its environment (null:
     * none, as in cgroup mode, where a stranger may carry a copy), or its {@code marker} (0: none) as its soft
     * RLIMIT_RTTIME, is ended. Written at once: a process that wiped its environment right after its spawn still has the marker.
     */
    public static void registerScope(String cookie, long marker) {
        if (cookie != null) {
            add("s " + checkCookie(cookie), false);
        }
        if (marker != 0) {
            add("m " + Long.toUnsignedString(marker), false);
        }
    }

    /** The scope is closed. */
    public static void unregisterScope(String cookie, long marker) {
        if (cookie != null) {
            remove("s " + checkCookie(cookie));
        }
        if (marker != 0) {
            remove("m " + Long.toUnsignedString(marker));
        }
    }

    /**
     * Registers this JVM's containment ({@code killFile}: the {@code cgroup.kill} of the JVM's own cgroup,
     * which every scope cgroup is below): after a crash the janitor writes it, and everything in any scope,
     * whatever it did to its group or environment, dies at once. Written before the first spawn.
     */
    public static void registerContainment(String killFile) {
        if (killFile == null || !killFile.endsWith("/cgroup.kill") || !killFile.chars().allMatch(c -> c < 128
                && (Character.isLetterOrDigit(c) || c == '/' || c == '-' || c == '_' || c == '.'))) {
            throw new IllegalArgumentException("not a cgroup.kill path the janitor accepts: " + killFile);
        }
        add("c " + killFile, false);
    }

    /**
     * Normal JVM exit, after the open scopes were closed: tells the janitor to exit without touching
     * anything, and closes the pipe. Later registrations are ignored.
     */
    public static void bye() {
        synchronized (LOCK) {
            finished = true;
            LIVE.clear();
            DELAYED.clear();
            DELAYED_REMOVALS.clear();
            Running p = current;
            if (p == null) {
                return;
            }
            forget(p);
            p.sendAtExit("bye\n".getBytes(StandardCharsets.US_ASCII));
            p.closePipe();
            p.awaitAndReap(Duration.ofMillis(500));
        }
    }

    private static String checkCookie(String cookie) {
        // The script accepts only these characters (it builds grep patterns from them).
        if (cookie.isEmpty() || !cookie.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c)
                || c == '-' || c == '_' || c == '.'))) {
            throw new IllegalArgumentException("scope cookie must be [0-9A-Za-z_.-]+ but was '" + cookie + "'");
        }
        return cookie;
    }

    private static void add(String entry, boolean delay) {
        synchronized (LOCK) {
            if (finished || !LIVE.add(entry)) {
                return;
            }
            if (!delay) {
                // At once: a scope cookie covers its processes' first moments; nothing covers an adopted one's.
                if (current != null) {
                    current.send("+" + entry + "\n");
                }
                return;
            }
            DELAYED.add(entry);
            scheduleFlush();
        }
    }

    /** Under LOCK: the delayed registrations and unregistrations are told {@value #REGISTRATION_DELAY_MILLIS} ms from now. */
    private static void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            Reactor.get().schedule(REGISTRATION_DELAY_MILLIS, Janitor::flushDelayed);
        }
    }

    private static void remove(String entry) {
        synchronized (LOCK) {
            if (forget(entry) && current != null) {
                current.send("-" + entry + "\n");
            }
        }
    }

    /** Under {@code LOCK}: drops {@code entry}; whether the janitor was told of it (and must be told it is gone). */
    private static boolean forget(String entry) {
        return LIVE.remove(entry) && !DELAYED.remove(entry);
    }

    /** Reactor thread: tells the janitor, in one write, the (un)registrations that outlived the delay. */
    private static void flushDelayed() {
        synchronized (LOCK) {
            flushScheduled = false;
            if (DELAYED.isEmpty() && DELAYED_REMOVALS.isEmpty()) {
                return;
            }
            if (current != null) {
                StringBuilder lines = new StringBuilder();
                for (String entry : DELAYED_REMOVALS) {
                    lines.append('-').append(entry).append('\n');
                }
                for (String entry : DELAYED) {
                    lines.append('+').append(entry).append('\n');
                }
                current.send(lines.toString());
            }
            DELAYED.clear(); // without a janitor, LIVE is replayed to the next one
            DELAYED_REMOVALS.clear();
        }
    }

    /** Starts a janitor and tells it every live registration. Under LOCK. Returns why it failed, or null. */
    private static String launch() {
        Reactor reactor = Reactor.get();
        Os os = Os.current();
        String shell = System.getProperty(SHELL_PROPERTY, "/bin/sh");
        long self = os.table().selfPid();
        SpawnRequest request = request(shell, self, os.table().stat(self).map(ProcStat::startTime).orElse(0L));
        Spawned spawned;
        try {
            spawned = os.spawner().spawn(request);
        } catch (SpawnException e) {
            return shell + ": " + e.errnoName() + ", " + e.getMessage();
        }
        starts++;
        // Ours to reap, through its gate: nobody else may (its pid must not be freed under us).
        ChildGate gate = new ChildGate(os, spawned.pid(), os.control().openPidfd(spawned.pid()));
        os.descriptors().setNonBlocking(spawned.stdinFd());
        Running p = new Running(reactor, os, gate, spawned.stdinFd(),
                os.descriptors().descriptorTarget(spawned.stdinFd()).orElse(""));
        current = p;
        currentPid = p.pid;
        p.watch();
        StringBuilder replay = new StringBuilder();
        for (String entry : LIVE) {
            replay.append('+').append(entry).append('\n');
        }
        if (replay.length() > 0) {
            p.send(replay.toString());
        }
        DELAYED.clear(); // told now
        DELAYED_REMOVALS.clear(); // the new janitor never heard of them
        return null;
    }

    /**
     * How a janitor for the JVM {@code jvmPid} (started at {@code jvmStart} clock ticks) is spawned. Tests
     * pass another process as the "JVM" to watch the script on its own.
     */
    static SpawnRequest request(String shell, long jvmPid, long jvmStart) {
        // This JVM and its ancestors, as the JVM's own protected-pid check lists them: never signalled
        // after a crash either (the JVM itself matters when a test stands another process in for it).
        Os os = Os.current();
        List<Long> protectedPids = new java.util.ArrayList<>(ProtectedProcesses.ancestors(os.table()).keySet());
        protectedPids.add(os.table().selfPid());
        return request(shell, jvmPid, jvmStart, protectedPids);
    }

    /** As {@link #request(String, long, long)}, with the pids the janitor must never signal. */
    static SpawnRequest request(String shell, long jvmPid, long jvmStart, List<Long> protectedPids) {
        String path = System.getenv("PATH");
        StringBuilder protectedList = new StringBuilder();
        for (long pid : protectedPids) {
            protectedList.append(protectedList.length() == 0 ? "" : " ").append(pid);
        }
        // argv[0] names it in ps. A minimal environment: no scope cookie (it must never look like one of
        // our processes), C locale for byte-exact grep, and the JVM's PATH to find grep and sleep.
        return new SpawnRequest(shell,
                List.of("managed-processes-janitor", "-c", Script.TEXT, "managed-processes-janitor",
                        Long.toString(jvmPid), Long.toString(jvmStart), Long.toString(GRACE.toMillis() / 10),
                        protectedList.toString()),
                List.of("PATH=" + (path == null || path.isEmpty() ? "/usr/bin:/bin" : path), "LC_ALL=C"),
                "/", // never pins a directory a test wants to delete or unmount
                Stdio.PIPE, Stdio.DISCARD, Stdio.DISCARD, // never holds the build's stdout/stderr pipes open
                true); // a session of its own: the JVM's group and session can be killed without it
    }

    /** The script, comment lines stripped (they document the file; in argv they would only lengthen ps output). */
    private static final class Script {
        static final String TEXT = load();

        private Script() {
        }

        private static String load() {
            try (InputStream in = Janitor.class.getResourceAsStream("janitor.sh")) {
                if (in == null) {
                    throw new IllegalStateException("janitor.sh is missing beside " + Janitor.class.getName());
                }
                StringBuilder sb = new StringBuilder();
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String t = line.strip();
                    if (!t.isEmpty() && !t.startsWith("#")) {
                        sb.append(line).append('\n');
                    }
                }
                return sb.toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void forget(Running p) {
        if (current == p) {
            current = null;
            currentPid = 0;
        }
    }

    /** Under LOCK: the current janitor is gone or unusable; replace it, or give up. */
    private static void lost(Running p, String why) {
        if (current != p) {
            return;
        }
        forget(p);
        p.closePipe();
        if (finished) {
            return;
        }
        String what = "the janitor process (pid " + p.pid + ") " + why;
        if (starts >= MAX_STARTS) {
            giveUp(what + ", " + starts + " janitors so far");
            return;
        }
        String failure = launch();
        if (failure != null) {
            giveUp(what + ", and a new one cannot start (" + failure + ")");
        } else {
            warn(what + "; a new one (pid " + current.pid + ") took over " + LIVE.size() + " registrations");
        }
    }

    private static void giveUp(String why) {
        finished = true;
        LIVE.clear();
        DELAYED.clear();
        DELAYED_REMOVALS.clear();
        warn("crash safety is off: " + why + ". Processes are still ended at normal JVM exit (by a shutdown "
                + "hook), but not if this JVM is killed");
    }

    /** One line on stderr: it must be seen (crash safety changed), and a logger's format may span two lines. */
    private static void warn(String message) {
        System.err.println("managed-processes: WARNING: " + message);
    }

    private static String describe(Optional<ExitStatus> status) {
        if (status.isEmpty()) {
            return "ended";
        }
        ExitStatus s = status.get();
        if (s.exited() && s.code() == EXIT_PIPE_CLOSED) {
            return "exited because its pipe reached end of input while this JVM was running (a descriptor closed by "
                    + "mistake elsewhere in this JVM?)";
        }
        return s.exited() ? "exited with status " + s.code() : "was " + s;
    }

    /** One janitor process and the write end of its pipe. */
    private static final class Running {
        private final Reactor reactor;
        private final Os os;
        private final ChildGate gate;
        private final long pid;
        private final String pipe; // what the descriptor named when opened ("pipe:[1234]")
        private final int pidfd;
        private int fd;            // guarded by LOCK; -1 once closed
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream(); // guarded by LOCK
        private boolean flushScheduled;                                           // guarded by LOCK
        private int reapAttempts;                                                 // reactor thread

        Running(Reactor reactor, Os os, ChildGate gate, int fd, String pipe) {
            this.reactor = reactor;
            this.os = os;
            this.gate = gate;
            this.pid = gate.pid();
            this.fd = fd;
            this.pipe = pipe;
            this.pidfd = gate.pidfd();
        }

        /** Reaps it when it exits (it is our child); an unexpected exit replaces it. */
        void watch() {
            if (pidfd >= 0) {
                reactor.register(pidfd, r -> {
                    // Readable: it has exited, so it is reapable now (it is our child, and only ours). Reaped
                    // before its pidfd is closed: the gate reads through the pidfd until the reap.
                    r.suspend();
                    synchronized (LOCK) {
                        lost(this, describe(reap()));
                    }
                    r.cancelAndClose();
                });
            } else {
                // Without pidfds (Linux < 5.3): a status check of our own child, twice a second. A write to a
                // dead janitor also notices (EPIPE), but only if something is written.
                reactor.schedule(POLL_MILLIS, this::pollExit);
            }
        }

        /** Reactor thread, without pidfds: has it exited (read without reaping)? Stops once it is replaced. */
        private void pollExit() {
            synchronized (LOCK) {
                if (current != this) {
                    return;
                }
            }
            Optional<ExitStatus> status = gate.peekExit();
            if (status.isEmpty()) {
                reactor.schedule(POLL_MILLIS, this::pollExit);
                return;
            }
            synchronized (LOCK) {
                reap();
                lost(this, describe(status));
            }
        }

        /** Under LOCK. */
        void send(String line) {
            byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
            if (fd < 0) {
                return;
            }
            if (pending.size() > 0) {
                pending.write(bytes, 0, bytes.length); // keep the order
                return;
            }
            try {
                int n = os.descriptors().tryWrite(fd, bytes, 0, bytes.length);
                if (n < bytes.length) {
                    pending.write(bytes, n, bytes.length - n);
                    scheduleFlush();
                }
            } catch (IOException e) {
                lost(this, "cannot be written to (" + e.getMessage() + ")");
                if (pidfd < 0) {
                    reactor.execute(this::reapLater);
                }
            }
        }

        /** Under LOCK. */
        private void scheduleFlush() {
            if (!flushScheduled) {
                flushScheduled = true;
                reactor.schedule(10, this::flush);
            }
        }

        private void flush() {
            synchronized (LOCK) {
                flushScheduled = false;
                if (fd < 0 || pending.size() == 0) {
                    return;
                }
                byte[] all = pending.toByteArray();
                pending.reset();
                send(new String(all, StandardCharsets.US_ASCII));
            }
        }

        /** Under LOCK, at JVM exit: waits (briefly) for room in the pipe, since nothing will flush later. */
        void sendAtExit(byte[] last) {
            if (fd < 0) {
                return;
            }
            pending.write(last, 0, last.length);
            byte[] all = pending.toByteArray();
            pending.reset();
            int done = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            try {
                while (done < all.length && System.nanoTime() < deadline) {
                    int n = os.descriptors().tryWrite(fd, all, done, all.length - done);
                    done += n;
                    if (n == 0) {
                        Thread.sleep(1);
                    }
                }
            } catch (IOException e) {
                // the janitor is gone already: nothing to tell
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // If "bye" did not get through, the janitor sees end of input and ends what is still
            // registered: after the shutdown hook's teardown that is nothing, or what survived it.
        }

        /**
         * Under LOCK. Closes our write end, unless the descriptor number no longer names our pipe (it
         * was closed by mistake elsewhere and reused): closing it then would close someone else's file.
         */
        void closePipe() {
            if (fd >= 0) {
                if (os.descriptors().descriptorTarget(fd).map(pipe::equals).orElse(false)) {
                    os.descriptors().close(fd);
                }
                fd = -1;
                pending.reset();
            }
        }

        /**
         * Under LOCK: reaps it if it has exited. Every reap goes through here, so there is exactly one
         * waitpid() per janitor: after it the pid is free, and a second one could reach a stranger.
         */
        Optional<ExitStatus> reap() {
            return gate.reapNow();
        }

        /**
         * Under LOCK, at JVM exit after "bye": waits (briefly) for it to exit and reaps it, so that no janitor
         * outlives a JVM that exits normally (it would re-parent, as a zombie, to whatever subreaper runs
         * above this JVM, such as a test JVM that started this one).
         */
        void awaitAndReap(Duration timeout) {
            if (gate.isReaped()) {
                return;
            }
            if (os.control().pidfdSupported()) {
                // A pidfd of our own: the reactor's may be closed under us. The pid is stable until reaped,
                // and every reap happens under LOCK, which we hold.
                int fd = os.control().openPidfd(pid);
                if (fd >= 0) {
                    try (var poller = os.descriptors().openPoller()) {
                        poller.add(fd, 1);
                        poller.await(new long[1], (int) Math.max(1, timeout.toMillis()));
                        poller.remove(fd);
                    } finally {
                        os.descriptors().close(fd);
                    }
                }
                reap();
                return;
            }
            // Without pidfds (Linux < 5.3) the kernel cannot wake us for a child's exit: check each millisecond.
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (!gate.isReaped() && System.nanoTime() < deadline) {
                    if (gate.peekExit().isPresent()) {
                        reap();
                    } else {
                        Thread.sleep(1);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Reactor thread, without pidfds: reaps the old janitor once it has exited (polled, backing off). */
        private void reapLater() {
            boolean done;
            synchronized (LOCK) {
                done = gate.isReaped() || reap().isPresent();
            }
            if (!done && ++reapAttempts < 100) {
                reactor.schedule(1L << Math.min(reapAttempts, 10), this::reapLater); // up to ~1 s apart
            }
        }
    }
}
