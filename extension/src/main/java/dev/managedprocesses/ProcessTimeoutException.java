package dev.managedprocesses;

/** A wait ran out of time. The message says what was awaited and what was last seen. */
public class ProcessTimeoutException extends ManagedProcessException {
    private static final long serialVersionUID = 1L;

    public ProcessTimeoutException(String message) {
        super(message);
    }
}
