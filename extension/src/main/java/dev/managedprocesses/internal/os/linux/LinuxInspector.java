package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessInspector;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Ports, open files, user names and threads, from {@code /proc} and {@code /etc/passwd}. */
final class LinuxInspector implements ProcessInspector {

    @Override
    public Set<Integer> listeningTcpPorts(long pid) {
        Set<Integer> ports = new TreeSet<>();
        if (pid <= 0) {
            return ports;
        }
        Set<Long> inodes = ProcFs.socketInodes(pid);
        if (inodes.isEmpty()) {
            return ports; // no sockets: skip reading the (possibly long) tcp tables
        }
        // The process's own /proc/<pid>/net: right even when it runs in another network namespace.
        for (Map.Entry<Long, Integer> socket : ProcFs.listeningTcpSockets(Long.toString(pid)).entrySet()) {
            if (inodes.contains(socket.getKey())) {
                ports.add(socket.getValue());
            }
        }
        return ports;
    }

    @Override
    public Set<Integer> listeningTcpPortsInNamespaceOf(long pid) {
        Map<Long, Integer> sockets = pid > 0 ? ProcFs.listeningTcpSockets(Long.toString(pid)) : Map.of();
        if (sockets.isEmpty()) {
            sockets = ProcFs.listeningTcpSockets("self");
        }
        return new TreeSet<>(sockets.values());
    }

    @Override
    public Map<Integer, String> openFiles(long pid) {
        Map<Integer, String> out = new TreeMap<>();
        String[] fds = new File("/proc/" + pid + "/fd").list();
        if (fds == null) {
            return out;
        }
        for (String fd : fds) {
            try {
                out.put(Integer.parseInt(fd), Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString());
            } catch (IOException | NumberFormatException e) {
                // closed meanwhile
            }
        }
        return out;
    }

    @Override
    public Optional<String> userName(int uid) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", 4);
                if (f.length >= 3 && f[2].equals(Integer.toString(uid))) {
                    return Optional.of(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no passwd file (some containers): fall through
        }
        return Optional.empty();
    }

    @Override
    public List<ProcStat> ownThreads() {
        return ProcFs.ownThreads();
    }
}
