package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.internal.os.ProcStat;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code /proc}. Each read is a single {@code read(2)} into a reused buffer: {@code /proc}
 * files are generated per read, so one read sees one consistent line, and it is several times
 * cheaper than {@code Files.readAllBytes}.
 */
final class ProcFs {
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[4096]);

    private ProcFs() {
    }

    /**
     * Reads a small file in one go (at most {@code limit} bytes); empty when it does not exist (the
     * process is gone). Larger limits (environ, cmdline) grow the buffer as needed rather than allocating
     * the limit up front: a 1 MiB array per {@code environ} read made every escapee scan slow, and most such
     * files fit the reused 4 KiB.
     */
    static Optional<byte[]> read(String path, int limit) {
        byte[] buf = BUFFER.get(); // grown into a copy when a file is larger
        try (FileInputStream in = new FileInputStream(path)) {
            int total = 0;
            int n;
            while (total < limit) {
                if (total == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, (int) Math.min(limit, 2L * buf.length));
                }
                if ((n = in.read(buf, total, buf.length - total)) <= 0) {
                    break;
                }
                total += n;
                if (limit <= 4096) {
                    break; // stat-like files: one read is one consistent snapshot
                }
            }
            byte[] copy = new byte[total];
            System.arraycopy(buf, 0, copy, 0, total);
            return Optional.of(copy);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<ProcStat> stat(long pid) {
        byte[] buf = BUFFER.get();
        int len;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            len = in.read(buf);
        } catch (IOException e) {
            return Optional.empty();
        }
        return len <= 0 ? Optional.empty() : Optional.ofNullable(parseStat(pid, buf, len));
    }

    /**
     * Parses {@code pid (comm) S ppid pgrp session tty tpgid flags ... starttime}. The comm may
     * contain spaces and parentheses, so fields are counted after the <em>last</em> ')'.
     */
    static ProcStat parseStat(long pid, byte[] buf, int len) {
        int open = -1;
        int close = -1;
        for (int i = 0; i < len; i++) {
            if (buf[i] == '(' && open < 0) {
                open = i;
            } else if (buf[i] == ')') {
                close = i;
            }
        }
        if (open < 0 || close < 0 || close + 2 >= len) {
            return null;
        }
        String comm = new String(buf, open + 1, close - open - 1, StandardCharsets.UTF_8);
        char state = (char) buf[close + 2];
        // fields after the state: index 0 = ppid (field 4) ... index 18 = starttime (field 22)
        long ppid = 0;
        long pgid = 0;
        long sid = 0;
        long start = 0;
        int field = -1;
        long value = 0;
        boolean neg = false;
        for (int i = close + 4; i <= len; i++) { // close+2 is the state, close+3 a space
            byte b = i < len ? buf[i] : (byte) ' ';
            if (b == ' ' || b == '\n') {
                field++;
                long v = neg ? -value : value;
                switch (field) {
                    case 0 -> ppid = v;
                    case 1 -> pgid = v;
                    case 2 -> sid = v;
                    case 18 -> start = v;
                    default -> { }
                }
                if (field == 18) {
                    break;
                }
                value = 0;
                neg = false;
            } else if (b == '-') {
                neg = true;
            } else {
                value = value * 10 + (b - '0');
            }
        }
        return field >= 18 ? new ProcStat(pid, comm, state, ppid, pgid, sid, start) : null;
    }

    static List<ProcStat> snapshot() {
        return snapshot(pid -> true);
    }

    /** The processes whose pids pass {@code which}: only those are read (a thread's id is never listed). */
    static List<ProcStat> snapshot(java.util.function.LongPredicate which) {
        String[] names = new File("/proc").list();
        List<ProcStat> out = new ArrayList<>(names == null ? 0 : names.length);
        if (names == null) {
            return out;
        }
        for (String name : names) {
            char c = name.charAt(0);
            if (c < '0' || c > '9') {
                continue;
            }
            long pid = Long.parseLong(name);
            if (which.test(pid)) {
                stat(pid).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * This JVM's children, from each of its threads' {@code /proc/self/task/TID/children}; empty when the
     * kernel has no such file ({@code CONFIG_PROC_CHILDREN}). A child a thread forks while the list is read
     * may be missed, as in any snapshot.
     */
    static Optional<List<ProcStat>> childrenOfSelf() {
        String[] tids = new File("/proc/self/task").list();
        if (tids == null) {
            return Optional.empty();
        }
        List<ProcStat> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        boolean any = false;
        for (String tid : tids) {
            Optional<byte[]> list = read("/proc/self/task/" + tid + "/children", 1 << 16);
            if (list.isEmpty()) {
                continue; // the thread ended meanwhile, or the kernel lists no children
            }
            any = true;
            for (String pid : new String(list.get(), StandardCharsets.US_ASCII).trim().split(" ")) {
                if (!pid.isEmpty() && seen.add(Long.parseLong(pid))) {
                    stat(Long.parseLong(pid)).ifPresent(out::add);
                }
            }
        }
        return any ? Optional.of(out) : Optional.empty();
    }

    /** The threads of this process (pid: thread id, comm: thread name, state). */
    static List<ProcStat> ownThreads() {
        String[] names = new File("/proc/self/task").list();
        List<ProcStat> out = new ArrayList<>(names == null ? 0 : names.length);
        if (names == null) {
            return out;
        }
        byte[] buf = BUFFER.get();
        for (String name : names) {
            try (FileInputStream in = new FileInputStream("/proc/self/task/" + name + "/stat")) {
                int len = in.read(buf);
                if (len > 0) {
                    out.add(parseStat(Long.parseLong(name), buf, len));
                }
            } catch (IOException | RuntimeException e) {
                // the thread ended while we looked
            }
        }
        return out;
    }

    /** The NUL-separated command line, joined with spaces; {@code [comm]} when empty (kernel threads, zombies). */
    static String commandLine(long pid, String comm) {
        Optional<byte[]> raw = read("/proc/" + pid + "/cmdline", 65536);
        if (raw.isEmpty() || raw.get().length == 0) {
            return "[" + comm + "]";
        }
        byte[] b = raw.get();
        int len = b.length;
        while (len > 0 && b[len - 1] == 0) {
            len--;
        }
        for (int i = 0; i < len; i++) {
            if (b[i] == 0) {
                b[i] = ' ';
            }
        }
        return new String(b, 0, len, StandardCharsets.UTF_8);
    }

    static int uid(long pid) {
        return (int) statusNumber(pid, "Uid");
    }

    /** The Tgid of {@code /proc/<pid>/status}: equal to pid for a process, different for its other threads. */
    static long tgid(long pid) {
        return statusNumber(pid, "Tgid");
    }

    /** The first number of the line {@code key:} of {@code /proc/<pid>/status}, or -1. */
    private static long statusNumber(long pid, String key) {
        Optional<byte[]> raw = read("/proc/" + pid + "/status", 8192);
        if (raw.isEmpty()) {
            return -1;
        }
        String s = new String(raw.get(), StandardCharsets.UTF_8);
        int i = s.indexOf("\n" + key + ":");
        if (i < 0) {
            return -1;
        }
        int j = i + key.length() + 2;
        while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
            j++;
        }
        int k = j;
        while (k < s.length() && Character.isDigit(s.charAt(k))) {
            k++;
        }
        return k > j ? Long.parseLong(s.substring(j, k)) : -1;
    }

    /** A small /proc text file as a string (one read), or empty. */
    static Optional<String> text(String path) {
        return text(path, 4096);
    }

    /** A text file of up to {@code limit} bytes (read until its end when the limit exceeds 4 KiB). */
    static Optional<String> text(String path, int limit) {
        return read(path, limit).map(b -> new String(b, StandardCharsets.US_ASCII));
    }

    /**
     * Whether {@code /proc/<pid>/environ} holds exactly {@code entry} ({@code KEY=value}) as one of its
     * NUL-separated entries. Streamed through the reused buffer, so the whole environment is read however
     * large it is (the kernel allows far more than 1 MiB: a cookie past any fixed limit must still be found)
     * without allocating it.
     */
    static boolean environmentContains(long pid, String entry) {
        byte[] want = entry.getBytes(StandardCharsets.UTF_8);
        byte[] buf = BUFFER.get();
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/environ")) {
            int pos = 0;          // index within the current entry
            boolean match = true; // the current entry equals want so far
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == 0) {
                        if (match && pos == want.length) {
                            return true;
                        }
                        pos = 0;
                        match = true;
                    } else {
                        match = match && pos < want.length && want[pos] == b;
                        pos++;
                    }
                }
            }
            return match && pos == want.length; // a last entry without its NUL
        } catch (IOException e) {
            return false;
        }
    }

    /** TCP state {@code LISTEN} in {@code /proc/net/tcp}: the "st" column is the kernel's enum, in hex. */
    private static final String TCP_LISTEN = "0A";

    /**
     * The inodes of the sockets {@code pid} has open: its {@code /proc/<pid>/fd/*} links that read
     * {@code socket:[inode]}. Empty when the process is gone or its descriptors are not readable.
     */
    static Set<Long> socketInodes(long pid) {
        Set<Long> out = new HashSet<>();
        String[] fds = new File("/proc/" + pid + "/fd").list();
        if (fds == null) {
            return out;
        }
        for (String fd : fds) {
            String target;
            try {
                target = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
            } catch (IOException | UnsupportedOperationException e) {
                continue; // closed meanwhile
            }
            if (target.startsWith("socket:[") && target.endsWith("]")) {
                try {
                    out.add(Long.parseLong(target.substring(8, target.length() - 1)));
                } catch (NumberFormatException e) {
                    // not a socket inode after all
                }
            }
        }
        return out;
    }

    /**
     * Listening TCP sockets (IPv4 and IPv6) of the network namespace seen through {@code /proc/<who>/net},
     * {@code who} being a pid or {@code self}: socket inode to local port. Empty when unreadable.
     */
    static Map<Long, Integer> listeningTcpSockets(String who) {
        Map<Long, Integer> out = new HashMap<>();
        readTcpTable("/proc/" + who + "/net/tcp", out);
        readTcpTable("/proc/" + who + "/net/tcp6", out);
        return out;
    }

    /**
     * Parses {@code sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...}; the
     * local address ends in {@code :PORT} (hex). The table can be long, so it is streamed, not read in one go.
     */
    private static void readTcpTable(String path, Map<Long, Integer> out) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(path),
                StandardCharsets.US_ASCII))) {
            in.readLine(); // header
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !TCP_LISTEN.equals(f[3])) {
                    continue;
                }
                int colon = f[1].lastIndexOf(':');
                try {
                    out.put(Long.parseLong(f[9]), Integer.parseInt(f[1].substring(colon + 1), 16));
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    // a line in a format we do not know: skip it rather than guess
                }
            }
        } catch (IOException e) {
            // no such table (IPv6 disabled) or the process is gone
        }
    }
}
