package dev.managedprocesses;

import dev.managedprocesses.internal.Reactor;
import dev.managedprocesses.internal.os.SpawnException;
import dev.managedprocesses.internal.os.SpawnRequest;
import dev.managedprocesses.internal.os.SpawnRequest.Stdio;
import dev.managedprocesses.internal.os.Spawned;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

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
    public static final String SCOPE_VARIABLE = "MANAGED_PROCESSES_SCOPE";

    /** The default grace period between SIGTERM and SIGKILL. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(2);

    private static final AtomicLong COUNTER = new AtomicLong();

    private final String id;
    private final String name;
    private final Duration gracePeriod;
    private final Object lock = new Object();
    private final List<SpawnedProcess> processes = new ArrayList<>();
    private final CompletableFuture<List<ProcessInfo>> closed = new CompletableFuture<>();
    private boolean closing;
    private String closedBy;

    private ProcessScope(String name, Duration gracePeriod) {
        this.name = name;
        this.gracePeriod = gracePeriod;
        this.id = ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    }

    /** Opens a scope with the default grace period. */
    public static ProcessScope open() {
        return builder().open();
    }

    /** A builder for a scope with a name (shown in messages) and a grace period. */
    public static Builder builder() {
        return new Builder();
    }

    /** The unique id, also the value of {@value #SCOPE_VARIABLE} in its processes. */
    public String id() {
        return id;
    }

    /** The name given at creation (by the JUnit extension: the test's display name). */
    public String name() {
        return name;
    }

    /** The grace period between SIGTERM and SIGKILL at teardown. */
    public Duration gracePeriod() {
        return gracePeriod;
    }

    /** Starts {@code command} (program and arguments) with default settings. */
    public ManagedProcess start(String... command) {
        return command(command).start();
    }

    /** Starts {@code command} with default settings. */
    public ManagedProcess start(List<String> command) {
        return command(command).start();
    }

    /** A spec for {@code command}, to configure and then {@link ProcessSpec#start()}. */
    public ProcessSpec command(String... command) {
        if (command == null) {
            throw new NullPointerException("command must not be null");
        }
        return command(Arrays.asList(command));
    }

    /** A spec for {@code command}, to configure and then {@link ProcessSpec#start()}. */
    public ProcessSpec command(List<String> command) {
        if (command == null) {
            throw new NullPointerException("command must not be null");
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty: give the program and its arguments, "
                    + "e.g. start(\"sleep\", \"10\")");
        }
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            if (arg == null) {
                throw new NullPointerException("command element " + i + " is null in " + command);
            }
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("command element " + i + " contains a NUL character");
            }
        }
        if (command.get(0).isBlank()) {
            throw new IllegalArgumentException("program must not be blank: the first element of the command is '"
                    + command.get(0) + "'");
        }
        checkOpen("create a command");
        return new ProcessSpec(this, List.copyOf(command));
    }

    /** The processes started in this scope, in start order. */
    public List<ManagedProcess> processes() {
        synchronized (lock) {
            return List.copyOf(processes);
        }
    }

    /** True once {@link #close()} has begun. */
    public boolean isClosed() {
        synchronized (lock) {
            return closing;
        }
    }

    ManagedProcess start(ProcessSpec spec) {
        List<String> command = spec.command();
        Path dir = spec.directory();
        if (dir != null) {
            dir = dir.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new ProcessStartException("Cannot start '" + command.get(0) + "': working directory " + dir
                        + (Files.exists(dir) ? " is not a directory" : " does not exist")
                        + ". Create it first or pass an existing directory to directory(...)");
            }
        }
        String executable = ProgramResolver.resolve(command.get(0), dir);
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : spec.environmentMap().entrySet()) {
            if (!e.getKey().equals(SCOPE_VARIABLE)) {
                env.add(e.getKey() + "=" + e.getValue());
            }
        }
        env.add(SCOPE_VARIABLE + "=" + id);
        SpawnRequest request = new SpawnRequest(executable, command, env, dir == null ? null : dir.toString(),
                spec.stdio(0), spec.stdio(1), spec.stdio(2));
        String shown = String.join(" ", command);
        Reactor reactor = Reactor.get();
        synchronized (lock) {
            // Spawning under the lock: close() can never miss a process that is being started.
            checkOpen("start " + shown);
            Spawned spawned;
            try {
                spawned = reactor.os().spawn(request);
            } catch (SpawnException e) {
                throw new ProcessStartException("Cannot start '" + shown + "': posix_spawn failed with "
                        + e.errnoName() + " (" + e.getMessage() + ")" + hint(e.errnoName()));
            }
            String label = "pid " + spawned.pid() + " (" + shown + ")";
            ProcessOutput out = new ProcessOutput("stdout of " + label, spec.charset(), spec.outputLimit(),
                    request.stdout().kind() == Stdio.Kind.PIPE);
            ProcessOutput err = new ProcessOutput("stderr of " + label, spec.charset(), spec.outputLimit(),
                    request.stderr().kind() == Stdio.Kind.PIPE);
            SpawnedProcess p = SpawnedProcess.watch(reactor, spawned, command, gracePeriod, out, err);
            processes.add(p);
            return p;
        }
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

    private void checkOpen(String action) {
        synchronized (lock) {
            if (closing) {
                throw new IllegalStateException("Cannot " + action + ": ProcessScope '" + name + "' is closed"
                        + (closedBy != null ? " (" + closedBy + ")" : "")
                        + ". Start processes only while the scope is open (inside the test or lifecycle method "
                        + "that received it)");
            }
        }
    }

    /**
     * Ends every process of this scope and everything in their groups: SIGTERM (+SIGCONT), the grace
     * period (event-driven), SIGKILL, reap, verify. Idempotent: a second call returns at once (or
     * waits for a concurrent first call to finish).
     *
     * @throws SurvivorsException when something survived SIGKILL; the message names pid and command
     */
    @Override
    public void close() {
        List<SpawnedProcess> targets;
        synchronized (lock) {
            if (closing) {
                targets = null;
            } else {
                closing = true;
                closedBy = "closed by " + Thread.currentThread().getName();
                targets = List.copyOf(processes);
            }
        }
        if (targets == null) {
            List<ProcessInfo> survivors = closed.join();
            Objects.requireNonNull(survivors);
            return;
        }
        List<ProcessInfo> survivors = List.of();
        try {
            survivors = Terminator.terminate(Reactor.get().os(), targets, gracePeriod);
            for (SpawnedProcess p : targets) {
                p.closeStreams();
            }
        } finally {
            closed.complete(survivors);
        }
        if (!survivors.isEmpty()) {
            throw new SurvivorsException(Terminator.survivorsMessage("ProcessScope '" + name + "'", survivors),
                    survivors);
        }
    }

    @Override
    public String toString() {
        return "ProcessScope '" + name + "' (" + id + ")";
    }

    /** Builds a {@link ProcessScope}. */
    public static final class Builder {
        private String name = "unnamed";
        private Duration gracePeriod = DEFAULT_GRACE_PERIOD;

        private Builder() {
        }

        /** A name shown in messages and reports. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            return this;
        }

        /** The grace period between SIGTERM and SIGKILL (default 2 s); zero means SIGKILL right after SIGTERM. */
        public Builder gracePeriod(Duration gracePeriod) {
            Objects.requireNonNull(gracePeriod, "gracePeriod must not be null");
            if (gracePeriod.isNegative()) {
                throw new IllegalArgumentException("gracePeriod must not be negative but was " + gracePeriod);
            }
            this.gracePeriod = gracePeriod;
            return this;
        }

        public ProcessScope open() {
            return new ProcessScope(name, gracePeriod);
        }
    }
}
