package dev.managedprocesses.internal.os.portable;

import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessInspector;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JDK cannot see another process's sockets, descriptors or threads, nor map uids to names. Which
 * process listens on a port is refused (the caller probes the port instead, see {@link #knowsPortOwners()});
 * the report details are answered as unknown (empty), which reports and the leak detector can do without.
 */
final class PortableInspector implements ProcessInspector {

    @Override
    public boolean knowsPortOwners() {
        return false;
    }

    @Override
    public Set<Integer> listeningTcpPorts(long pid) {
        throw noPortOwners();
    }

    @Override
    public Set<Integer> listeningTcpPortsInNamespaceOf(long pid) {
        throw noPortOwners();
    }

    /** Unknown here: a report cannot say whether a leaked process holds the build's output pipe. */
    @Override
    public Map<Integer, String> openFiles(long pid) {
        return Map.of();
    }

    @Override
    public Optional<String> userName(int uid) {
        return Optional.empty();
    }

    /** Unknown here; only the orphan reaper asks, and it is inactive without a subreaper. */
    @Override
    public List<ProcStat> ownThreads() {
        return List.of();
    }

    private static UnsupportedOperationException noPortOwners() {
        return new UnsupportedOperationException("which process listens on a TCP port cannot be read on "
                + PortableOs.where() + " (the JDK cannot see another process's sockets): probe the port by connecting to it");
    }
}
