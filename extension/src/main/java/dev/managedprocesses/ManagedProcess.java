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

    /**
     * The process id. Use {@link #identity()} to tell this process from a later one with the same pid.
     *
     * @return the pid, fixed for the handle's life (after the process ends the kernel may give it to another)
     */
    long pid();

    /**
     * Who the process is: pid + start time + boot id, read when the process was started or adopted.
     *
     * @return the identity, a plain value that stays valid after the process ended (compare it with
     *     {@link ProcessIdentity#of(long)}, or assert on it, to ask whether this very process still runs)
     */
    ProcessIdentity identity();

    /**
     * The command line it was started with (for adopted processes: as read from {@code /proc}).
     *
     * @return the program and its arguments, unmodifiable
     */
    List<String> command();

    /**
     * True while the process runs. A zombie (exited, not yet reaped) is not alive; a stopped
     * ({@code SIGSTOP}) process is.
     *
     * @return true while the process runs; false once it has ended, even if its pid now names another
     *     process
     */
    boolean isAlive();

    /**
     * How it ended, once it has. Stays empty for a process adopted by pid or {@code ProcessHandle}
     * ({@link ProcessScope#adopt(long)}, {@link ProcessScope#adopt(ProcessHandle)}): only its parent
     * can read its exit status. Such a process has ended when {@link #isAlive()} is false; adopt the
     * JDK {@code Process} ({@link ProcessScope#adopt(Process)}) to keep the status.
     *
     * @return the exit status; empty while the process runs, and always for a process whose status cannot
     *     be known
     */
    Optional<ExitStatus> exitStatus();

    /**
     * What ended it (by itself, a caller's signal, SIGTERM or SIGKILL from this library), once it has;
     * also for a process adopted by pid or {@code ProcessHandle}, whose exit status is unknown.
     *
     * @return who ended it; empty while it runs
     */
    Optional<EndedBy> endedBy();

    /**
     * Blocks until the process ends.
     *
     * @return its exit status
     * @throws IllegalStateException when the process has ended but its exit status is unknown (adopted
     *     by pid or {@code ProcessHandle}, see {@link #exitStatus()}): thrown as soon as it has ended
     * @throws InterruptedException if the calling thread is interrupted while waiting; the process is left
     *     running
     */
    ExitStatus waitFor() throws InterruptedException;

    /**
     * Blocks until the process ends or the timeout passes.
     *
     * @param timeout how long to wait at most; {@code Duration.ZERO} checks without waiting
     * @return its exit status, or empty if it was still running at the timeout
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException when the process has ended but its exit status is unknown (adopted
     *     by pid or {@code ProcessHandle}, see {@link #exitStatus()}): thrown as soon as it has ended,
     *     so empty always means "still running"
     * @throws NullPointerException if {@code timeout} is null
     * @throws InterruptedException if the calling thread is interrupted while waiting; the process is left
     *     running
     */
    Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException;

    /**
     * Completes when the process ends. Dependent actions run on the common pool, never on the library's
     * thread. For a process whose exit status is unknown (adopted by pid or {@code ProcessHandle}) it
     * completes exceptionally, with the {@link IllegalStateException} of {@link #waitFor()}, when the
     * process ends.
     *
     * <pre>{@code
     * server.onExit().thenAccept(status -> log.info("server {}", status));
     * }</pre>
     *
     * @return a future of the exit status; a new one on each call, so cancelling it affects nobody else
     */
    CompletableFuture<ExitStatus> onExit();

    /**
     * Sends {@code signal} to this process only. The process counts as ended by this call
     * ({@link EndedBy#SIGNAL}, or {@link EndedBy#SIGKILL} for {@link Signal#KILL}) if it ends after it;
     * {@code STOP} and {@code CONT} never do.
     *
     * @param signal the signal to send
     * @return true if it was delivered, false if the process is already gone (nothing is sent then, even
     *     if the pid now names another process)
     * @throws NullPointerException if {@code signal} is null
     */
    boolean signal(Signal signal);

    /**
     * Sends {@code signal} to every process in this process's group.
     *
     * @param signal the signal to send
     * @return true if delivered, false if the group is already gone
     * @throws NullPointerException if {@code signal} is null
     * @throws UnsupportedOperationException for an adopted process: it is tracked on its own, not as a
     *     process group this library leads (the message says why); use {@link #signal(Signal)}, and
     *     {@link #terminate()}, which also ends its descendants
     */
    boolean signalGroup(Signal signal);

    /**
     * Ends the process and its whole group: SIGTERM (and SIGCONT, so stopped processes can act on
     * it), the scope's grace period, then SIGKILL for whatever is left; waits until all are gone. For an
     * adopted process, the same for it and its descendants. Returns at once when all are gone already.
     * An interrupt cuts the grace period short (SIGKILL follows at once) and stays set on the thread.
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
     * @throws NullPointerException if {@code gracePeriod} is null
     * @throws IllegalArgumentException if {@code gracePeriod} is negative
     * @throws SurvivorsException if something survived SIGKILL (named in the message)
     */
    ExitStatus terminate(Duration gracePeriod);

    /**
     * SIGKILL to the whole group (for an adopted process: to it and its descendants), without SIGTERM
     * first, so nothing gets to clean up; waits until all are gone.
     *
     * @return as {@link #terminate()}
     * @throws SurvivorsException if something survived SIGKILL (named in the message)
     */
    ExitStatus kill();

    /**
     * SIGSTOP to the whole group (for an adopted process: to the process itself), to freeze it, for
     * example to test how others cope with a peer that hangs. A stopped process still counts as alive;
     * {@link #resume()} continues it, and teardown sends SIGCONT with its SIGTERM so it can end.
     */
    void suspend();

    /** SIGCONT to the whole group (for an adopted process: to the process itself): undoes {@link #suspend()}. */
    void resume();

    /**
     * Captured standard output: read it, or wait for a line, while the process runs.
     *
     * @return the output; not captured (it reads as empty and ended) when stdout was not left a pipe, and
     *     for an adopted process
     */
    ProcessOutput stdout();

    /**
     * Captured standard error: read it, or wait for a line, while the process runs.
     *
     * @return the output; not captured (it reads as empty and ended) when stderr was not left a pipe, was
     *     merged into stdout, or the process was adopted
     */
    ProcessOutput stderr();

    /**
     * The process's standard input (when it is a pipe). Close it to send end-of-file.
     *
     * @return the stream to write to; when stdin is not a pipe (redirected, or the process was adopted), or
     *     is closed, every write throws an {@link java.io.IOException} that says so
     */
    OutputStream stdin();

    /**
     * Live descendants right now: children, their children, and every member of this process's group.
     *
     * @return a fresh snapshot of the process table, zombies left out; empty once the process has ended
     *     (for a process a scope started: once its whole group is gone)
     */
    List<ProcessInfo> descendants();

    /**
     * The process group id (equal to {@link #pid()} for processes a scope started).
     *
     * @return the group id; for an adopted process the group the kernel reports, or -1 once it has ended
     */
    long processGroup();

    /**
     * True while this process runs and leads a process group of its own that this library signals as a
     * whole; false once it has ended (even while its group still has members).
     *
     * @return whether it leads its own process group now
     */
    boolean isProcessGroupLeader();

    /**
     * A JDK handle for the process, for code that works with {@code ProcessHandle}s, while it is alive and
     * its pid still names it.
     *
     * @return the handle; empty once the process has ended
     */
    Optional<ProcessHandle> toHandle();

    /**
     * Whether signals travel by pidfd or by pid.
     *
     * @return {@link SignalDelivery#PIDFD} where the kernel has pidfds (Linux 5.3 and later), else
     *     {@link SignalDelivery#PID}
     */
    SignalDelivery signalDelivery();

    /**
     * How long teardown (or {@link #terminate()}, {@link #kill()}) took, once it ran.
     *
     * @return from the first signal until the process and its group were gone; empty until one of them
     *     has ended it, and for a process that ended before any of them ran
     */
    Optional<Duration> terminationTime();
}
