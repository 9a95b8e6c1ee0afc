package dev.managedprocesses;

/**
 * Base of this library's exceptions, to catch them all at once. Unchecked: each says what went wrong and
 * what to do in its message. Usage errors (a null argument, a closed scope) are the JDK's own
 * {@code NullPointerException}, {@code IllegalArgumentException} and {@code IllegalStateException}.
 */
public class ManagedProcessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that says what went wrong and what to do.
     *
     * @param message the message
     */
    public ManagedProcessException(String message) {
        super(message);
    }

    /**
     * An exception with a message and the failure that caused it.
     *
     * @param message the message
     * @param cause the underlying failure, may be {@code null}
     */
    public ManagedProcessException(String message, Throwable cause) {
        super(message, cause);
    }
}
