package dev.managedprocesses;

import java.util.Locale;

/**
 * The POSIX signals, by name, with this platform's numbers.
 *
 * <p>Linux numbers are used on Linux, the BSD/macOS numbers on macOS. An invalid number is refused
 * by {@link #of(int)} with a message that says which numbers are valid; nothing is ever sent for it.
 *
 * <pre>{@code
 * server.signal(Signal.HUP);            // reload
 * assertThat(worker).wasKilledBy(Signal.TERM);
 * }</pre>
 */
public enum Signal {
    HUP(1, 1), INT(2, 2), QUIT(3, 3), ILL(4, 4), TRAP(5, 5), ABRT(6, 6), BUS(7, 10), FPE(8, 8),
    KILL(9, 9), USR1(10, 30), SEGV(11, 11), USR2(12, 31), PIPE(13, 13), ALRM(14, 14), TERM(15, 15),
    CHLD(17, 20), CONT(18, 19), STOP(19, 17), TSTP(20, 18), TTIN(21, 21), TTOU(22, 22), URG(23, 16),
    XCPU(24, 24), XFSZ(25, 25), VTALRM(26, 26), PROF(27, 27), WINCH(28, 28), IO(29, 23), SYS(31, 12);

    private static final boolean MAC = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac");

    private final int linux;
    private final int darwin;

    Signal(int linux, int darwin) {
        this.linux = linux;
        this.darwin = darwin;
    }

    /** This signal's number on the running platform. */
    public int number() {
        return MAC ? darwin : linux;
    }

    /** The conventional name, e.g. {@code SIGTERM}. */
    public String signalName() {
        return "SIG" + name();
    }

    /**
     * The signal with this platform number.
     *
     * @throws IllegalArgumentException if no named POSIX signal has that number (e.g. 0, a negative
     *     number, 99, or a real-time signal)
     */
    public static Signal of(int number) {
        for (Signal s : values()) {
            if (s.number() == number) {
                return s;
            }
        }
        throw new IllegalArgumentException("Signal number " + number + " is not a valid signal on this platform: "
                + "use one of the named POSIX signals 1-31 (for example Signal.TERM = " + TERM.number()
                + ", Signal.KILL = " + KILL.number() + ")");
    }

    @Override
    public String toString() {
        return signalName();
    }
}
