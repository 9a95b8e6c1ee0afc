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
    HUP, INT, QUIT, ILL, TRAP, ABRT, BUS, FPE, KILL, USR1, SEGV, USR2, PIPE, ALRM, TERM,
    CHLD, CONT, STOP, TSTP, TTIN, TTOU, URG, XCPU, XFSZ, VTALRM, PROF, WINCH, IO, SYS;

    /** This signal's number on the running platform (as {@code kill -l} prints it). */
    public int number() {
        return SignalNumbers.current().number(this);
    }

    /** The conventional name, e.g. {@code SIGTERM}. */
    public String signalName() {
        return "SIG" + name();
    }

    /**
     * The signal with this number on the running platform.
     *
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
