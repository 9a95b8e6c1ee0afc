package dev.managedprocesses;

import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A process started (or adopted) by a {@link ProcessScope}, known by identity rather than by pid.
 *
 * <p>A process started by a scope leads its own process group; {@link #terminate()}, {@link #kill()},
 * {@link #suspend()} and {@link #resume()} act on that whole group, {@link #signal(Signal)} on the
 * process alone. A handle never signals a stranger: once the process is gone every signal is a no-op
 * that returns {@code false}, even if the kernel has given the pid to someone else.
 *
 * <pre>{@code
 * ManagedProcess server = scope.start("python3", "-u", "-m", "http.server", "0");
 * server.stdout().awaitLine(Pattern.compile("port (\\d+)"), Duration.ofSeconds(10));
 * ExitStatus status = server.terminate();   // SIGTERM, grace period, SIGKILL if needed
 * }</pre>
 *
 * <p>Sealed: every handle is one this library made, so every handle keeps the guarantees above.
 */
public sealed interface ManagedProcess permits ScopedProcess {

    /** The process id. Use {@link #identity()} to tell this process from a later one with the same pid. */
    long pid();

    /** pid + start time + boot id, read when the process was started or adopted. */
    ProcessIdentity identity();

    /** The command line it was started with (for adopted processes: as read from {@code /proc}). */
    List<String> command();

    /**
     * True while the process runs. A zombie (exited, not yet reaped) is not alive; a stopped
     * ({@code SIGSTOP}) process is.
     */
    boolean isAlive();

    /**
     * How it ended, once it has. Stays empty for a process adopted by pid or {@code ProcessHandle}
     * ({@link ProcessScope#adopt(long)}, {@link ProcessScope#adopt(ProcessHandle)}): only its parent
     * can read its exit status. Such a process has ended when {@link #isAlive()} is false; adopt the
     * JDK {@code Process} ({@link ProcessScope#adopt(Process)}) to keep the status.
     */
    Optional<ExitStatus> exitStatus();

    /**
     * What ended it (by itself, a caller's signal, SIGTERM or SIGKILL from this library), once it has;
     * also for a process adopted by pid or {@code ProcessHandle}, whose exit status is unknown.
     */
    Optional<EndedBy> endedBy();

    /**
     * Blocks until the process ends.
     *
     * @return its exit status
     * @throws IllegalStateException when the process has ended but its exit status is unknown (adopted
     *     by pid or {@code ProcessHandle}, see {@link #exitStatus()}): thrown as soon as it has ended
     */
    ExitStatus waitFor() throws InterruptedException;

    /**
     * Blocks until the process ends or the timeout passes.
     *
     * @return its exit status, or empty if it was still running at the timeout
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException when the process has ended but its exit status is unknown (adopted
     *     by pid or {@code ProcessHandle}, see {@link #exitStatus()}): thrown as soon as it has ended,
     *     so empty always means "still running"
     */
    Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException;

    /**
     * Completes when the process ends. Dependent actions run on the common pool, never on the library's
     * thread. For a process whose exit status is unknown (adopted by pid or {@code ProcessHandle}) it
     * completes exceptionally, with the {@link IllegalStateException} of {@link #waitFor()}, when the
     * process ends.
     */
    CompletableFuture<ExitStatus> onExit();

    /**
     * Sends {@code signal} to this process only.
     *
     * @return true if it was delivered, false if the process is already gone
     */
    boolean signal(Signal signal);

    /**
     * Sends {@code signal} to every process in this process's group.
     *
     * @return true if delivered, false if the group is already gone
     * @throws UnsupportedOperationException for an adopted process that could not be given its own group
     */
    boolean signalGroup(Signal signal);

    /**
     * Ends the process and its whole group: SIGTERM (and SIGCONT, so stopped processes can act on
     * it), the scope's grace period, then SIGKILL for whatever is left; waits until all are gone.
     *
     * @return the exit status of this process; {@code null} for a process adopted by pid or
     *     {@code ProcessHandle}, whose status only its parent can read ({@link #isAlive()} is
     *     {@code false} and {@link #endedBy()} says who ended it all the same)
     * @throws SurvivorsException if something survived SIGKILL (named in the message)
     */
    ExitStatus terminate();

    /**
     * {@link #terminate()} with an explicit grace period between SIGTERM and SIGKILL.
     *
     * @param gracePeriod how long to wait after SIGTERM; {@code Duration.ZERO} sends SIGKILL right after it
     * @return as {@link #terminate()}
     */
    ExitStatus terminate(Duration gracePeriod);

    /**
     * SIGKILL to the whole group; waits until all are gone.
     *
     * @return as {@link #terminate()}
     */
    ExitStatus kill();

    /** SIGSTOP to the whole group. A stopped process still counts as alive. */
    void suspend();

    /** SIGCONT to the whole group. */
    void resume();

    /** Captured standard output. */
    ProcessOutput stdout();

    /** Captured standard error. */
    ProcessOutput stderr();

    /** The process's standard input (when it is a pipe). Close it to send end-of-file. */
    OutputStream stdin();

    /** Live descendants right now: children, their children, and every member of this process's group. */
    List<ProcessInfo> descendants();

    /** The process group id (equal to {@link #pid()} for processes a scope started). */
    long processGroup();

    /**
     * True while this process runs and leads a process group of its own that this library signals as a
     * whole; false once it has ended (even while its group still has members).
     */
    boolean isProcessGroupLeader();

    /** A JDK handle for the process, while it is alive and its pid still names it. */
    Optional<ProcessHandle> toHandle();

    /** Whether signals travel by pidfd or by pid. */
    SignalDelivery signalDelivery();

    /** How long teardown (or {@link #terminate()}) took, once it ran. */
    Optional<Duration> terminationTime();
}
