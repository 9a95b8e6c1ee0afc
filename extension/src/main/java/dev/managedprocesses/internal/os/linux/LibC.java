package dev.managedprocesses.internal.os.linux;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Variadic;

/**
 * The slice of glibc this library binds with jnr-ffi. Bound directly rather than through jnr-posix:
 * jnr-posix cannot set a spawn signal mask or default dispositions, loses posix_spawn's errno, has no
 * pidfd, epoll, waitid or prctl, and its factory costs hundreds of milliseconds to load.
 * Strings are passed as NUL-terminated UTF-8 {@code byte[]}s so the JVM's default charset never matters.
 */
public interface LibC {
    // posix_spawn (glibc: errors are returned, not set in errno)
    int posix_spawnp(@Out int[] pid, @In byte[] file, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setpgroup(Pointer attr, int pgroup);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

    int posix_spawn_file_actions_addopen(Pointer actions, int fd, @In byte[] path, int oflag, int mode);

    int posix_spawn_file_actions_addchdir_np(Pointer actions, @In byte[] path);

    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    int sigemptyset(Pointer set);

    int sigfillset(Pointer set);

    // descriptors
    int pipe2(@Out int[] fds, int flags);

    @Variadic(fixedCount = 2)
    int fcntl(int fd, int cmd, int arg);

    int close(int fd);

    long read(int fd, @Out byte[] buffer, long count);

    long write(int fd, @In byte[] buffer, long count);

    // processes and signals
    int getpid();

    int getppid();

    int getpgid(int pid);

    int getsid(int pid);

    int setpgid(int pid, int pgid);

    int kill(int pid, int signal);

    int waitpid(int pid, @Out int[] status, int options);

    int waitid(int idtype, int id, Pointer siginfo, int options);

    int pidfd_open(int pid, int flags);

    int pidfd_send_signal(int pidfd, int signal, Pointer info, int flags);

    @Variadic(fixedCount = 1)
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    long sysconf(int name);

    String strerror(int errnum);

    // readiness
    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, Pointer event);

    int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis);

    int eventfd(int initval, int flags);

    int poll(Pointer fds, long nfds, int timeoutMillis);
}
