package dev.managedprocesses.internal.os;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What reports and conditions look at beside the process table: listening ports, open files, user
 * names, this JVM's threads. Nothing in the lifecycle of a process depends on it, so a platform may
 * answer less (empty) without losing any guarantee.
 */
public interface ProcessInspector {

    /**
     * Whether this platform can tell which process holds a listening socket ({@link #listeningTcpPorts});
     * where it cannot (the portable platform), those two methods throw {@link UnsupportedOperationException}
     * and callers probe the port instead.
     */
    default boolean knowsPortOwners() {
        return true;
    }

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

    /** What each open descriptor of {@code pid} refers to ({@code pipe:[123]}, a path...), by fd number. */
    Map<Integer, String> openFiles(long pid);

    /** The user name for {@code uid}, when the system knows one. */
    Optional<String> userName(int uid);

    /** The threads of this JVM, each as a {@link ProcStat} whose pid is the thread id and comm its name. */
    List<ProcStat> ownThreads();
}
