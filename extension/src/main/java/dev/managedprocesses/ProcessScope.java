package dev.managedprocesses;

import dev.managedprocesses.internal.core.ScopeCore;
import dev.managedprocesses.internal.core.TeardownEntry;
import dev.managedprocesses.internal.core.Terminator;
import dev.managedprocesses.internal.core.TrackedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Owns the processes started through it, and ends all of them (and everything they forked) when
 * it is closed. Usable with or without JUnit:
 *
 * <pre>{@code
 * try (ProcessScope scope = ProcessScope.open()) {
 *     ManagedProcess sleeper = scope.start("sh", "-c", "sleep 100 & sleep 100 & wait");
 *     ...
 * } // SIGTERM to each process group, grace period, SIGKILL, reap, verify
 * }</pre>
 *
 * <p>Every process starts in a process group of its own, with an empty signal mask, default signal
 * dispositions, only descriptors 0-2, and the environment variable {@value #SCOPE_VARIABLE} naming the
 * scope (inherited by its descendants). Thread-safe. {@link #close()} is idempotent; a closed scope
 * refuses new work with {@link IllegalStateException}.
 */
public final class ProcessScope implements AutoCloseable {

    /** The environment variable that marks every process a scope starts (and, by inheritance, their descendants). */
    public static final String SCOPE_VARIABLE = ScopeCore.SCOPE_VARIABLE;

    /** The default grace period between SIGTERM and SIGKILL. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(2);
    private static final String NULL_COMMAND = "command must not be null: give the program and its arguments, "
            + "e.g. start(\"sleep\", \"10\")";

    private final ScopeCore core;
    /** One handle per tracked process, in the order they were started or adopted. Guarded by itself. */
    private final Map<TrackedProcess, ManagedProcess> handles = new IdentityHashMap<>();
    private final List<ManagedProcess> ordered = new ArrayList<>();
    private volatile List<ProcessRecord> records = List.of();
    private final AtomicBoolean firstClose = new AtomicBoolean();

    private ProcessScope(String name, Duration gracePeriod) {
        this.core = new ScopeCore(name, gracePeriod);
    }

    /**
     * Opens a scope with the default grace period ({@link #DEFAULT_GRACE_PERIOD}); close it with
     * try-with-resources.
     *
     * @return a new, open scope named {@code unnamed}
     */
    public static ProcessScope open() {
        return builder().open();
    }

    /**
     * A builder for a scope with a name (shown in messages) and a grace period.
     *
     * <pre>{@code
     * try (ProcessScope scope = ProcessScope.builder()
     *         .name("cluster")
     *         .gracePeriod(Duration.ofSeconds(10))
     *         .open()) {
     *     ...
     * }
     * }</pre>
     *
     * @return a new builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The unique id, also the value of {@value #SCOPE_VARIABLE} in its processes.
     *
     * @return the id, unique per scope; by it teardown finds descendants that left their group
     */
    public String id() {
        return core.id();
    }

    /**
     * The name given at creation (by the JUnit extension: the test's display name).
     *
     * @return the name, {@code unnamed} unless the builder set one
     */
    public String name() {
        return core.name();
    }

    /**
     * The grace period between SIGTERM and SIGKILL at teardown, and for {@link ManagedProcess#terminate()}.
     *
     * @return the grace period, zero or positive
     */
    public Duration gracePeriod() {
        return core.gracePeriod();
    }

    /**
     * Starts {@code command} (program and arguments) with default settings: the JVM's working directory
     * and environment, stdin, stdout and stderr pipes.
     *
     * @param command the program (a name looked up on the JVM's {@code PATH}, or a path) and its arguments
     * @return the handle of the running process
     * @throws ProcessStartException if it cannot be started; the message says why and what to do
     * @throws IllegalArgumentException if {@code command} is empty, its program blank, or an element
     *     contains NUL
     * @throws NullPointerException if {@code command} or one of its elements is null
     * @throws IllegalStateException if the scope is closed
     */
    public ManagedProcess start(String... command) {
        return command(command).start();
    }

    /**
     * Starts {@code command} with default settings; see {@link #start(String...)}.
     *
     * @param command the program and its arguments
     * @return the handle of the running process
     * @throws ProcessStartException if it cannot be started; the message says why and what to do
     * @throws IllegalArgumentException if {@code command} is empty, its program blank, or an element
     *     contains NUL
     * @throws NullPointerException if {@code command} or one of its elements is null
     * @throws IllegalStateException if the scope is closed
     */
    public ManagedProcess start(List<String> command) {
        return command(command).start();
    }

    /**
     * A spec for {@code command}, to configure and then {@link ProcessSpec#start()}. Nothing starts yet.
     *
     * @param command the program (a name looked up on the JVM's {@code PATH}, or a path) and its arguments
     * @return a new spec with default settings
     * @throws IllegalArgumentException if {@code command} is empty, its program blank, or an element
     *     contains NUL
     * @throws NullPointerException if {@code command} or one of its elements is null
     * @throws IllegalStateException if the scope is closed
     */
    public ProcessSpec command(String... command) {
        if (command == null) {
            throw new NullPointerException(NULL_COMMAND);
        }
        return command(Arrays.asList(command));
    }

    /**
     * A spec for {@code command}, to configure and then {@link ProcessSpec#start()}. Nothing starts yet.
     *
     * @param command the program and its arguments; copied, so later changes to the list do not matter
     * @return a new spec with default settings
     * @throws IllegalArgumentException if {@code command} is empty, its program blank, or an element
     *     contains NUL
     * @throws NullPointerException if {@code command} or one of its elements is null
     * @throws IllegalStateException if the scope is closed
     */
    public ProcessSpec command(List<String> command) {
        if (command == null) {
            throw new NullPointerException(NULL_COMMAND);
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty: give the program and its arguments, "
                    + "e.g. start(\"sleep\", \"10\")");
        }
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            if (arg == null) {
                throw new NullPointerException(i == 0
                        ? "program must not be null: the first element of the command names the program to run, "
                                + "e.g. start(\"sleep\", \"10\")"
                        : "command element " + i + " is null in " + command + ": pass \"\" for an empty argument, "
                                + "or leave the element out");
            }
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("command element " + i + " contains a NUL character, which "
                        + "cannot be passed to a program (arguments are C strings): remove it");
            }
        }
        if (command.get(0).isBlank()) {
            throw new IllegalArgumentException("program must not be blank: the first element of the command is '"
                    + command.get(0) + "'; it names the program to run, e.g. start(\"sleep\", \"10\")");
        }
        core.checkOpen("create a command");
        return new ProcessSpec(this, List.copyOf(command));
    }

    /**
     * The processes started or adopted in this scope, in that order.
     *
     * @return a snapshot, unmodifiable; ended processes stay in it
     */
    public List<ManagedProcess> processes() {
        synchronized (handles) {
            return List.copyOf(ordered);
        }
    }

    /**
     * What teardown did to each process (started, adopted, and escaped descendants it found); empty
     * until {@link #close()} has run.
     *
     * @return one record per process, unmodifiable
     */
    public List<ProcessRecord> records() {
        return records;
    }

    /**
     * Takes responsibility for a process started elsewhere (for example by the code under test with
     * {@link ProcessBuilder}): teardown ends it and its descendants, and its exit status stays the
     * JDK's ({@link Process#waitFor()} still returns it).
     *
     * <p>The process is moved into a process group of its own where POSIX allows that; a process
     * that has already exec'd cannot be moved (EACCES), so it is tracked on its own, through a pidfd.
     *
     * @param process the JDK process to take over
     * @return its handle; the same handle when the process is already one of this scope's
     * @throws IllegalArgumentException if it has already exited, or is protected (see {@link #adopt(long)})
     * @throws NullPointerException if {@code process} is null
     * @throws IllegalStateException if the scope is closed
     */
    public ManagedProcess adopt(Process process) {
        Objects.requireNonNull(process, "process must not be null");
        return handle(core.adopt(process.pid(), process, null, null));
    }

    /**
     * Adopts the process behind a JDK handle; see {@link #adopt(Process)}. Its exit status will be unknown:
     * adopt the {@code Process} instead where there is one.
     *
     * @param handle the JDK handle of the process to take over
     * @return its handle; the same handle when the process is already one of this scope's
     * @throws IllegalArgumentException if it has already exited, or is protected (see {@link #adopt(long)})
     * @throws NullPointerException if {@code handle} is null
     * @throws IllegalStateException if the scope is closed
     */
    public ManagedProcess adopt(ProcessHandle handle) {
        Objects.requireNonNull(handle, "handle must not be null");
        return handle(core.adopt(handle.pid(), null, handle, null));
    }

    /**
     * Adopts the process that has {@code pid} now; its identity (start time, pidfd) is fixed at this
     * moment, so a later process with the same pid is never touched. Its exit status will be unknown
     * (only its parent can read it).
     *
     * @param pid the process id of a live process
     * @return its handle; the same handle when the process is already one of this scope's
     * @throws IllegalStateException if the scope is closed
     * @throws IllegalArgumentException for pid 0, 1, 2, a negative pid, this JVM or any of its ancestors
     *     (its parent, the build tool above it...), its session or group leader, or a pid with no live process
     */
    public ManagedProcess adopt(long pid) {
        return handle(core.adopt(pid, null, null, null));
    }

    /**
     * Adopts {@code pid} after checking that it runs {@code expectedExecutable} ({@code /proc/<pid>/exe});
     * a bare name such as {@code "sleep"} matches the executable's file name. Guards against adopting a
     * stranger when the pid came from a pid file or a log that may be stale.
     *
     * @param pid the process id of a live process
     * @param expectedExecutable the executable's path, or a bare file name
     * @return its handle; the same handle when the process is already one of this scope's
     * @throws IllegalArgumentException if the process runs another executable, or for the reasons of
     *     {@link #adopt(long)}
     * @throws NullPointerException if {@code expectedExecutable} is null
     * @throws IllegalStateException if the scope is closed
     */
    public ManagedProcess adopt(long pid, Path expectedExecutable) {
        Objects.requireNonNull(expectedExecutable, "expectedExecutable must not be null");
        return handle(core.adopt(pid, null, null, expectedExecutable));
    }

    /**
     * True once {@link #close()} has begun.
     *
     * @return whether the scope is closing or closed; it then refuses to start or adopt processes
     */
    public boolean isClosed() {
        return core.isClosed();
    }

    ManagedProcess start(ProcessSpec spec) {
        return handle(core.start(spec.plan()));
    }

    /** The one handle of {@code process} (a process adopted twice gets the same handle). */
    private ManagedProcess handle(TrackedProcess process) {
        synchronized (handles) {
            return handles.computeIfAbsent(process, p -> {
                ManagedProcess h = new ScopedProcess(p);
                ordered.add(h);
                return h;
            });
        }
    }

    /**
     * Ends every process of this scope and everything in their groups, and every descendant that
     * escaped its group (found by the scope's marker variable): SIGTERM (+SIGCONT), the grace period
     * (event-driven), SIGKILL, reap, then verifies with a fresh snapshot that nothing of the scope
     * lives. Idempotent: a second call returns at once (or waits for a concurrent first call).
     *
     * @throws SurvivorsException when something survived SIGKILL; the message names pid and command
     */
    @Override
    public void close() {
        ScopeCore.Teardown teardown = core.close();
        if (!firstClose.compareAndSet(false, true)) {
            return; // reported by the first call
        }
        List<ProcessRecord> out = new ArrayList<>(teardown.entries().size());
        for (TeardownEntry e : teardown.entries()) {
            out.add(new ProcessRecord(e.pid(), e.command(), origin(e.origin()), e.leftover(), e.endedBy(),
                    e.exitStatus(), e.teardownTime(), e.survived(), e.containment()));
        }
        records = List.copyOf(out);
        if (!teardown.survivors().isEmpty() || !teardown.respawners().isEmpty()) {
            List<ProcessInfo> all = new ArrayList<>(teardown.survivors());
            all.addAll(teardown.respawners());
            throw new SurvivorsException(Terminator.teardownFailure("ProcessScope '" + name() + "'",
                    teardown.survivors(), teardown.respawners()), all);
        }
    }

    private static ProcessRecord.Origin origin(TrackedProcess.Origin origin) {
        return switch (origin) {
            case STARTED -> ProcessRecord.Origin.STARTED;
            case ADOPTED -> ProcessRecord.Origin.ADOPTED;
            case ESCAPED -> ProcessRecord.Origin.ESCAPED;
        };
    }

    @Override
    public String toString() {
        return core.toString();
    }

    /** Builds a {@link ProcessScope}. */
    public static final class Builder {
        private String name = "unnamed";
        private Duration gracePeriod = DEFAULT_GRACE_PERIOD;

        private Builder() {
        }

        /**
         * A name shown in messages and reports, to tell scopes apart.
         *
         * @param name the name; any text, not null
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            return this;
        }

        /**
         * The grace period between SIGTERM and SIGKILL (default 2 s); zero means SIGKILL right after SIGTERM.
         * Give processes that shut down slowly (a database flushing to disk) more.
         *
         * @param gracePeriod how long processes get to end after SIGTERM
         * @return this builder
         * @throws NullPointerException if {@code gracePeriod} is null
         * @throws IllegalArgumentException if {@code gracePeriod} is negative
         */
        public Builder gracePeriod(Duration gracePeriod) {
            Objects.requireNonNull(gracePeriod, "gracePeriod must not be null");
            if (gracePeriod.isNegative()) {
                throw new IllegalArgumentException("gracePeriod must not be negative but was " + gracePeriod);
            }
            this.gracePeriod = gracePeriod;
            return this;
        }

        /**
         * Opens the scope. The builder may open more scopes with the same settings.
         *
         * @return a new, open scope
         */
        public ProcessScope open() {
            return new ProcessScope(name, gracePeriod);
        }
    }
}
