package dev.managedprocesses;

import dev.managedprocesses.internal.os.SignalNumbers;

/**
 * The POSIX signals, by name. A signal stays a {@code Signal} all the way down to the system call;
 * only the OS layer knows the numbers, which differ between platforms (SIGCONT is 18 on Linux, 19 on
 * macOS). An invalid number is refused by {@link #of(int)} with a message that says which numbers are
 * valid; nothing is ever sent for it.
 *
 * <pre>{@code
 * server.signal(Signal.HUP);            // reload
 * assertThat(worker).wasKilledBy(Signal.TERM);
 * }</pre>
 */
public enum Signal {
    /** Hangup: the controlling terminal went away; daemons conventionally reload their configuration. */
    HUP,
    /** Interrupt, as Ctrl-C sends it from a terminal. */
    INT,
    /** Quit, as Ctrl-\ sends it: ends the process with a core dump (a JVM prints a thread dump instead). */
    QUIT,
    /** Illegal instruction: the program tried to execute something the CPU does not accept. */
    ILL,
    /** Trace or breakpoint trap, used by debuggers. */
    TRAP,
    /** Abort, as {@code abort(3)} raises it: ends the process with a core dump. */
    ABRT,
    /** Bus error: a bad memory access, such as reading a memory-mapped file past its end. */
    BUS,
    /** Arithmetic error, such as an integer division by zero. */
    FPE,
    /**
     * Kill: cannot be caught, blocked or ignored, so the process ends without cleaning up; what
     * {@link ManagedProcess#kill()} sends, and teardown after the grace period.
     */
    KILL,
    /** User-defined signal 1: what it means is up to the program. */
    USR1,
    /** Segmentation fault: an access to memory the process may not touch. */
    SEGV,
    /** User-defined signal 2: what it means is up to the program. */
    USR2,
    /** Broken pipe: a write to a pipe or socket that nobody reads any more. */
    PIPE,
    /** Alarm clock: a timer set with {@code alarm(2)} or {@code setitimer(2)} expired. */
    ALRM,
    /**
     * Terminate: the polite request to end, which a program may catch to clean up; what
     * {@link ManagedProcess#terminate()} and teardown send first.
     */
    TERM,
    /** A child stopped or ended; ignored unless the program handles it. */
    CHLD,
    /** Continue a stopped process (no effect on a running one); what {@link ManagedProcess#resume()} sends. */
    CONT,
    /**
     * Stop: suspends the process until {@link #CONT}; cannot be caught, blocked or ignored. What
     * {@link ManagedProcess#suspend()} sends.
     */
    STOP,
    /** Terminal stop, as Ctrl-Z sends it; unlike {@link #STOP}, a program may catch or ignore it. */
    TSTP,
    /** A background process tried to read from its terminal; stops it unless caught. */
    TTIN,
    /**
     * A background process tried to write to its terminal while the terminal's {@code tostop} flag is set;
     * stops it unless caught.
     */
    TTOU,
    /** Urgent (out-of-band) data arrived on a socket; ignored unless the program handles it. */
    URG,
    /** The CPU time limit ({@code RLIMIT_CPU}) was exceeded. */
    XCPU,
    /** The file size limit ({@code RLIMIT_FSIZE}) was exceeded. */
    XFSZ,
    /** A {@code setitimer(2)} timer that counts the process's user CPU time expired. */
    VTALRM,
    /** A {@code setitimer(2)} profiling timer that counts the process's user and system CPU time expired. */
    PROF,
    /** The terminal window changed size; ignored unless the program handles it. */
    WINCH,
    /** I/O is possible on a descriptor set up for signal-driven I/O ({@code O_ASYNC}). */
    IO,
    /** Bad system call: one the kernel does not know, or one a seccomp filter refused. */
    SYS;

    /**
     * This signal's number on the running platform (as {@code kill -l} prints it).
     *
     * @return the number, e.g. 15 for {@link #TERM}; some differ between platforms ({@link #CONT} is 18 on
     *     Linux, 19 on macOS)
     */
    public int number() {
        return SignalNumbers.current().number(this);
    }

    /**
     * The conventional name, as {@code kill(1)} and messages print it; {@link #toString()} returns the same.
     *
     * @return the constant's name with the {@code SIG} prefix, e.g. {@code SIGTERM}
     */
    public String signalName() {
        return "SIG" + name();
    }

    /**
     * The signal with this number on the running platform.
     *
     * @param number a signal number as the running platform counts it, e.g. from {@code kill -l}
     * @return the named signal with that number
     * @throws IllegalArgumentException if no named POSIX signal has that number (e.g. 0, a negative
     *     number, 99, or a real-time signal)
     */
    public static Signal of(int number) {
        return SignalNumbers.current().signal(number).orElseThrow(() -> new IllegalArgumentException("Signal number "
                + number + " is not a valid signal on this platform: use one of the named POSIX signals 1-31 (for "
                + "example Signal.TERM = " + TERM.number() + ", Signal.KILL = " + KILL.number() + ")"));
    }

    @Override
    public String toString() {
        return signalName();
    }
}
