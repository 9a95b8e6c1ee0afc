package dev.managedprocesses.internal.os;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.internal.os.linux.LinuxProcesses;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Everything native, behind one interface: spawning, identity, signals, reaping, the process table
 * and readiness polling. Nothing outside this package and its implementations calls jffi or reads
 * {@code /proc}; errno leaves this layer only as a value to explain in an error message
 * ({@link SpawnException#errnoName()}, {@link #moveToOwnGroup}). One implementation per OS, chosen once
 * ({@link #instance()}).
 *
 * <p>Rules every implementation keeps:
 * <ul>
 *   <li>Only ever wait for pids the caller names ({@link #reap(long)}, {@link #peekExit}); never a
 *       wildcard wait ({@code waitpid(-1)}, {@code P_ALL}), which would steal exit statuses from the
 *       JDK's own {@code Process} objects.</li>
 *   <li>Every descriptor the JVM keeps is close-on-exec; a spawned child gets only 0, 1 and 2.</li>
 *   <li>Signals to pid 0/1/2, negative pids, the JVM, its parent, its session leader or its process
 *       group are refused by the caller ({@code ProtectedProcesses}) before they reach this layer.</li>
 * </ul>
 */
public interface OsProcesses {

    /** The implementation for this OS, loaded on first use. */
    static OsProcesses instance() {
        return Holder.INSTANCE;
    }

    /** This JVM's pid. */
    long selfPid();

    /** This JVM's parent pid, asked of the kernel now (it changes when the parent dies). */
    long selfParentPid();

    /** This JVM's session id, asked of the kernel now. */
    long selfSessionId();

    /** This JVM's process group id, asked of the kernel now. */
    long selfProcessGroupId();

    /** The kernel boot id (constant per boot). */
    String bootId();

    /** Spawns a child into its own process group; see {@link SpawnRequest}. */
    Spawned spawn(SpawnRequest request) throws SpawnException;

    /** One process's state, or empty when the pid does not exist. */
    Optional<ProcStat> stat(long pid);

    /** Every process in the table, zombies included. Cheap: one {@code stat} read per process. */
    List<ProcStat> snapshot();

    /** A full description (uid and command line included) of one process, or empty when it is gone. */
    Optional<ProcessInfo> describe(ProcStat stat);

    /**
     * Why {@code pid} must never be signalled, whatever the library is asked, or null when it may be:
     * pid 0 and negative pids (they mean "a whole group" to kill(2)), 1 (init), 2 (kthreadd), this JVM,
     * its parent, its session leader and the leader of its process group. The one list every signalling
     * path checks.
     */
    default String protectedReason(long pid) {
        if (pid < 0) {
            return "a negative pid (kill(2) would read it as a whole process group)";
        }
        if (pid == 0) {
            return "pid 0 (kill(2) would signal the JVM's whole process group)";
        }
        if (pid == 1) {
            return "init (pid 1)";
        }
        if (pid == 2) {
            return "the kernel's thread daemon (pid 2)";
        }
        if (pid == selfPid()) {
            return "this JVM";
        }
        if (pid == selfParentPid()) {
            return "this JVM's parent";
        }
        if (pid == selfSessionId()) {
            return "this JVM's session leader";
        }
        if (pid == selfProcessGroupId()) {
            return "the leader of this JVM's process group";
        }
        return null;
    }

    /** The threads of this JVM, each as a {@link ProcStat} whose pid is the thread id and comm its name. */
    List<ProcStat> ownThreads();

    /** The resolved executable of a process, when readable. */
    Optional<String> executable(long pid);

    /** True when the process's environment contains {@code entry} (for example {@code KEY=value}). */
    boolean environmentContains(long pid, String entry);

    /**
     * The TCP ports (IPv4 and IPv6) on which {@code pid} itself holds a listening socket, looked up in
     * the process's own network namespace. Empty when it holds none, is gone, or its descriptors cannot
     * be read. The pid may be recycled while this runs: callers re-check the process's identity after.
     */
    Set<Integer> listeningTcpPorts(long pid);

    /**
     * Every TCP port (IPv4 and IPv6) in the listening state in the network namespace of {@code pid},
     * whoever holds it; this JVM's namespace when {@code pid} is gone.
     */
    Set<Integer> listeningTcpPortsInNamespaceOf(long pid);

    /** Whether this kernel supports pidfds. */
    boolean pidfdSupported();

    /**
     * Opens a pidfd (close-on-exec) for {@code pid}.
     *
     * @return the descriptor, or -1 when the process does not exist (or pidfds are unsupported)
     */
    int openPidfd(long pid);

    /** True when the process behind {@code pidfd} has exited (works for any process, not just children). */
    boolean pidfdExited(int pidfd);

    /** Sends {@code signal} through a pidfd. */
    SignalResult signalPidfd(int pidfd, int signal);

    /** Sends {@code signal} to a pid ({@code kill(pid, sig)}). The caller has checked the pid. */
    SignalResult signalPid(long pid, int signal);

    /** Sends {@code signal} to a process group ({@code kill(-pgid, sig)}). The caller has checked the group. */
    SignalResult signalGroup(long pgid, int signal);

    /** The exit status of an exited child, read without reaping it (pidfd, {@code WNOWAIT}); empty while it runs. */
    Optional<ExitStatus> peekExit(int pidfd);

    /** The exit status of an exited child, read by pid without reaping it; empty while it runs. */
    Optional<ExitStatus> peekExitByPid(long pid);

    /** Reaps one exited child ({@code waitpid(pid, WNOHANG)}); empty when it has not exited or is not our child. */
    Optional<ExitStatus> reap(long pid);

    /** Moves {@code pid} into a new process group of its own: 0 on success, else the errno. */
    int moveToOwnGroup(long pid);

    /** Makes the JVM a child subreaper: orphaned descendants re-parent to it, not to init. */
    boolean makeChildSubreaper();

    /**
     * Reads what is available from a non-blocking descriptor.
     *
     * @return bytes read, 0 at end of stream, -1 when nothing is available now
     */
    int read(int fd, byte[] buffer);

    /** Writes all of {@code buffer[offset, offset+length)} to a blocking descriptor. */
    void write(int fd, byte[] buffer, int offset, int length) throws java.io.IOException;

    /** Makes a descriptor (its open file description) non-blocking. */
    void setNonBlocking(int fd);

    /**
     * Writes what fits now to a non-blocking descriptor, in one {@code write(2)}: a pipe takes up to
     * {@code PIPE_BUF} (4096) bytes whole or not at all, more may be cut short.
     *
     * @return bytes written, 0 when the pipe is full
     * @throws java.io.IOException when the reader is gone ({@code EPIPE}) or the descriptor is not open; the
     *     message starts with the errno name
     */
    int tryWrite(int fd, byte[] buffer, int offset, int length) throws java.io.IOException;

    /**
     * What one of this JVM's descriptors refers to ({@code pipe:[1234]}, a path), to tell whether a
     * descriptor number still names the file it was opened for; empty when it is not open.
     */
    Optional<String> descriptorTarget(int fd);

    /** Closes a descriptor; errors are ignored. */
    void close(int fd);

    /** A new readiness poller (epoll on Linux). */
    Poller openPoller();

    /**
     * The most recently allocated pid (the last field of {@code /proc/loadavg}). Pids allocated between
     * two readings lie between them (modulo {@link #pidMax()}): a cheap way to find new processes.
     * -1 when unknown.
     */
    long lastAllocatedPid();

    /** The largest pid the kernel hands out before wrapping. */
    long pidMax();

    /** Clock ticks since boot now, on the same clock as {@link ProcStat#startTime()}. */
    long uptimeTicks();

    /** True when {@code pid} is a process (thread-group leader), not one of a process's other threads. */
    boolean isProcess(long pid);

    /** What each open descriptor of {@code pid} refers to ({@code pipe:[123]}, a path...), by fd number. */
    java.util.Map<Integer, String> openFiles(long pid);

    /** The user name for {@code uid}, when the system knows one. */
    Optional<String> userName(int uid);

    /** Clock ticks per second for start times. */
    long clockTicksPerSecond();

    /** Boot time in epoch milliseconds, to turn start ticks into instants. */
    long bootTimeMillis();

    /** The result of a signal. */
    enum SignalResult {
        /** Delivered (or queued). */
        DELIVERED,
        /** No such process (already reaped or never existed). */
        NO_SUCH_PROCESS,
        /** Not permitted (another user's process). */
        NOT_PERMITTED
    }

    /** Holder idiom: the OS implementation is loaded on first use only. */
    final class Holder {
        static final OsProcesses INSTANCE = load();

        private Holder() {
        }

        private static OsProcesses load() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            if (os.contains("linux")) {
                return LinuxProcesses.create();
            }
            throw new UnsupportedOperationException("managed-processes supports Linux only for now (this is "
                    + System.getProperty("os.name") + "); macOS is planned, Windows is not supported");
        }
    }
}
