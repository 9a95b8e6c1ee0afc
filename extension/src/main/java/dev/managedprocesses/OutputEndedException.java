package dev.managedprocesses;

/** A process's output ended (it closed the stream or exited) before the awaited line appeared. */
public class OutputEndedException extends ManagedProcessException {
    private static final long serialVersionUID = 1L;

    public OutputEndedException(String message) {
        super(message);
    }
}
