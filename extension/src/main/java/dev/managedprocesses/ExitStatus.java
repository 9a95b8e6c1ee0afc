package dev.managedprocesses;

import dev.managedprocesses.internal.os.SignalNumbers;
import java.util.Objects;
import java.util.Optional;

/**
 * How a process ended: it exited with a code, or it was killed by a signal.
 *
 * <p>{@link #code()} follows the shell's convention: the exit code, or {@code 128 + n} for death by
 * signal {@code n} (so SIGKILL is 137, SIGTERM 143). {@link #toString()} reads like
 * {@code exited 2} or {@code killed by SIGTERM}.
 */
public final class ExitStatus {

    private final int exitCode;      // -1 when killed
    private final int signalNumber;  // 0 when exited
    private final boolean coreDumped;

    private ExitStatus(int exitCode, int signalNumber, boolean coreDumped) {
        this.exitCode = exitCode;
        this.signalNumber = signalNumber;
        this.coreDumped = coreDumped;
    }

    /**
     * The status of a process that called {@code exit(code)}, for comparing with what a process returned:
     * {@code assertEquals(ExitStatus.exited(2), cli.waitFor())}.
     *
     * @param code the exit code, 0-255
     * @return a status that {@link #exited()} with {@code code}
     * @throws IllegalArgumentException if {@code code} is not 0-255
     */
    public static ExitStatus exited(int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("Exit code must be 0-255 but was " + code);
        }
        return new ExitStatus(code, 0, false);
    }

    /**
     * The status of a process killed by {@code signal}, for comparing with what a process returned.
     *
     * @param signal the signal that killed it
     * @param coreDumped whether it dumped core (compared by {@link #equals(Object)} too)
     * @return a status that was {@link #killed()} by {@code signal}
     * @throws NullPointerException if {@code signal} is null
     */
    public static ExitStatus killedBy(Signal signal, boolean coreDumped) {
        return new ExitStatus(-1, Objects.requireNonNull(signal, "signal").number(), coreDumped);
    }

    /**
     * The status of a process killed by a signal given by its number on the running platform, real-time
     * signals included (those have no {@link Signal} constant).
     *
     * @param signalNumber the signal's number, 1-64
     * @param coreDumped whether it dumped core
     * @return a status that was {@link #killed()} by that signal
     * @throws IllegalArgumentException if {@code signalNumber} is not 1-64
     */
    public static ExitStatus killedBySignalNumber(int signalNumber, boolean coreDumped) {
        if (signalNumber < 1 || signalNumber > 64) {
            throw new IllegalArgumentException("Signal number must be 1-64 but was " + signalNumber);
        }
        return new ExitStatus(-1, signalNumber, coreDumped);
    }

    /**
     * Whether the process exited by itself, with any code.
     *
     * @return true when it exited (returned from {@code main} or called {@code exit}), false when a signal
     *     killed it
     */
    public boolean exited() {
        return signalNumber == 0;
    }

    /**
     * Whether the process exited with code 0, which programs use to say they succeeded.
     *
     * @return true only for an exit with code 0; false for any other code and for a death by signal
     */
    public boolean isSuccess() {
        return exitCode == 0;
    }

    /**
     * Whether a signal killed the process; the opposite of {@link #exited()}.
     *
     * @return true when a signal killed it, false when it exited by itself
     */
    public boolean killed() {
        return signalNumber != 0;
    }

    /**
     * The code a shell would report for this status ({@code $?}).
     *
     * @return the exit code, or {@code 128 + signal number} when a signal killed the process (137 for
     *     SIGKILL, 143 for SIGTERM), so it cannot tell an {@code exit(143)} from a SIGTERM: use
     *     {@link #exitCode()} or {@link #signal()} where that matters
     */
    public int code() {
        return exited() ? exitCode : 128 + signalNumber;
    }

    /**
     * The exit code, when the process exited by itself.
     *
     * @return the exit code, 0-255; empty when a signal killed the process
     */
    public Optional<Integer> exitCode() {
        return exited() ? Optional.of(exitCode) : Optional.empty();
    }

    /**
     * The signal that killed the process, when it is one of the named {@link Signal}s.
     *
     * @return the signal; empty when the process exited by itself, or when a signal without a constant
     *     (a real-time one) killed it: {@link #signalNumber()} still has its number
     */
    public Optional<Signal> signal() {
        if (!killed()) {
            return Optional.empty();
        }
        return SignalNumbers.current().signal(signalNumber);
    }

    /**
     * The number of the signal that killed the process, on the running platform.
     *
     * @return the signal's number, or 0 when the process exited by itself
     */
    public int signalNumber() {
        return signalNumber;
    }

    /**
     * Whether the process dumped core when a signal killed it (only when core dumps are enabled:
     * {@code ulimit -c}).
     *
     * @return true when a signal killed it and the kernel reported a core dump; false for an exit, and for
     *     an adopted JDK {@code Process}, whose exit value does not say
     */
    public boolean coreDumped() {
        return coreDumped;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExitStatus other && other.exitCode == exitCode
                && other.signalNumber == signalNumber && other.coreDumped == coreDumped;
    }

    @Override
    public int hashCode() {
        return Objects.hash(exitCode, signalNumber, coreDumped);
    }

    @Override
    public String toString() {
        if (exited()) {
            return "exited " + exitCode;
        }
        String name = signal().map(Signal::signalName).orElse("signal " + signalNumber);
        return "killed by " + name + (coreDumped ? " (core dumped)" : "");
    }
}
