package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.internal.os.ContainerException;
import java.nio.file.Path;

/**
 * A cgroup v2 operation the kernel refused: which operation, on which file, the errno and what it
 * means here. The errno is kept as a value ({@link #errno()}, {@link #errnoName()}) so the caller can
 * decide (a vanished cgroup is not a denied one) and put the facts into its own message.
 */
public final class CgroupException extends ContainerException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final transient Path path;

    CgroupException(String operation, Path path, int errno, String explanation) {
        super(operation + " " + path + " failed: " + Errno.name(errno) + " (" + CgroupFiles.strerror(errno) + ")"
                + (explanation == null || explanation.isEmpty() ? "" : "; " + explanation));
        this.errno = errno;
        this.path = path;
    }

    /** The errno the kernel returned (Linux numbering). */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, such as {@code EACCES}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The cgroup file or directory the operation was on. */
    public Path path() {
        return path;
    }
}
