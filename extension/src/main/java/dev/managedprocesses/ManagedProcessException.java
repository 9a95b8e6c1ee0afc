package dev.managedprocesses;

/** Base of this library's exceptions. */
public class ManagedProcessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ManagedProcessException(String message) {
        super(message);
    }

    public ManagedProcessException(String message, Throwable cause) {
        super(message, cause);
    }
}
