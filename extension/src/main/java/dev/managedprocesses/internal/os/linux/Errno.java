package dev.managedprocesses.internal.os.linux;

/** The errno values this layer acts on (Linux numbering, all architectures). */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int E2BIG = 7;
    static final int ENOEXEC = 8;
    static final int ECHILD = 10;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int ENOTDIR = 20;
    static final int EINVAL = 22;
    static final int EROFS = 30;
    static final int EPIPE = 32;
    static final int ENOSYS = 38;
    static final int ENOTEMPTY = 39;
    static final int EOPNOTSUPP = 95;

    private Errno() {
    }

    static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EINTR -> "EINTR";
            case EBADF -> "EBADF";
            case E2BIG -> "E2BIG";
            case ENOEXEC -> "ENOEXEC";
            case ECHILD -> "ECHILD";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case ENOTDIR -> "ENOTDIR";
            case EINVAL -> "EINVAL";
            case EROFS -> "EROFS";
            case EPIPE -> "EPIPE";
            case ENOSYS -> "ENOSYS";
            case ENOTEMPTY -> "ENOTEMPTY";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "errno " + errno;
        };
    }
}
