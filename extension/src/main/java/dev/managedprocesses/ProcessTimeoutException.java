package dev.managedprocesses;

/**
 * A wait ran out of time, or was interrupted (the thread's interrupt flag is then set again). The message
 * says what was awaited and what was last seen.
 */
public class ProcessTimeoutException extends ManagedProcessException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that says what was awaited and what was last seen.
     *
     * @param message the message
     */
    public ProcessTimeoutException(String message) {
        super(message);
    }
}
