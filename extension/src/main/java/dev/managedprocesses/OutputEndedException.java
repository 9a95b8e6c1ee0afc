package dev.managedprocesses;

/** A process's output ended (it closed the stream or exited) before the awaited line appeared. */
public class OutputEndedException extends ManagedProcessException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception whose message names the stream, what was awaited, how the process ended, and its last lines.
     *
     * @param message the message
     */
    public OutputEndedException(String message) {
        super(message);
    }
}
