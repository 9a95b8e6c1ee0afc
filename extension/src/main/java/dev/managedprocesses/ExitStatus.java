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

    /** A process that called {@code exit(code)}; {@code code} is 0-255. */
    public static ExitStatus exited(int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("Exit code must be 0-255 but was " + code);
        }
        return new ExitStatus(code, 0, false);
    }

    /** A process killed by {@code signal}. */
    public static ExitStatus killedBy(Signal signal, boolean coreDumped) {
        return new ExitStatus(-1, Objects.requireNonNull(signal, "signal").number(), coreDumped);
    }

    /** A process killed by a signal given by number (real-time signals included). */
    public static ExitStatus killedBySignalNumber(int signalNumber, boolean coreDumped) {
        if (signalNumber < 1 || signalNumber > 64) {
            throw new IllegalArgumentException("Signal number must be 1-64 but was " + signalNumber);
        }
        return new ExitStatus(-1, signalNumber, coreDumped);
    }

    /** True when the process exited by itself (with any code), false when a signal killed it. */
    public boolean exited() {
        return signalNumber == 0;
    }

    /** True when the process exited with code 0. */
    public boolean isSuccess() {
        return exitCode == 0;
    }

    /** True when a signal killed the process. */
    public boolean killed() {
        return signalNumber != 0;
    }

    /** The exit code, or {@code 128 + signal number} when a signal killed the process. */
    public int code() {
        return exited() ? exitCode : 128 + signalNumber;
    }

    /** The exit code when the process exited by itself. */
    public Optional<Integer> exitCode() {
        return exited() ? Optional.of(exitCode) : Optional.empty();
    }

    /** The signal that killed the process, when it is one of the named {@link Signal}s. */
    public Optional<Signal> signal() {
        if (!killed()) {
            return Optional.empty();
        }
        return SignalNumbers.current().signal(signalNumber);
    }

    /** The number of the signal that killed the process, or 0 when it exited. */
    public int signalNumber() {
        return signalNumber;
    }

    /** True when the process was killed by a signal and dumped core. */
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
