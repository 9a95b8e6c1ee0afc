package dev.managedprocesses.internal.os;

/** posix_spawn failed; carries the errno and the OS's description of it. */
public final class SpawnException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String errnoName;

    public SpawnException(int errno, String errnoName, String message) {
        super(message);
        this.errno = errno;
        this.errnoName = errnoName;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return errnoName;
    }
}
