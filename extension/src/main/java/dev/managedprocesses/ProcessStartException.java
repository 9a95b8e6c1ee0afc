package dev.managedprocesses;

/**
 * A process could not be started. The message says what was wrong (a program not on PATH, a file
 * that is not executable, a missing working directory, ...) and what to do; nothing was started.
 */
public class ProcessStartException extends ManagedProcessException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception whose message names the program and says why it could not start and what to do.
     *
     * @param message the message
     */
    public ProcessStartException(String message) {
        super(message);
    }
}
