package dev.managedprocesses.internal.os;

/** A container operation failed; the message says what, on which file, why, and what to do. */
public class ContainerException extends Exception {
    private static final long serialVersionUID = 1L;

    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
