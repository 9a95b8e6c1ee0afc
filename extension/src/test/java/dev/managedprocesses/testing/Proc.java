package dev.managedprocesses.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Reads {@code /proc} directly, independently of the library, so tests check the real world rather
 * than what the library believes.
 */
public final class Proc {
    private Proc() {
    }

    /** Fields after the last ')': index 0 = state, 1 = ppid, 2 = pgid, 3 = sid, 19 = start time. */
    public static Optional<String[]> stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Optional.of(s.substring(s.lastIndexOf(')') + 2).trim().split(" "));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static char state(long pid) {
        return stat(pid).map(f -> f[0].charAt(0)).orElse('-');
    }

    public static long ppid(long pid) {
        return stat(pid).map(f -> Long.parseLong(f[1])).orElse(-1L);
    }

    public static long pgid(long pid) {
        return stat(pid).map(f -> Long.parseLong(f[2])).orElse(-1L);
    }

    public static long sid(long pid) {
        return stat(pid).map(f -> Long.parseLong(f[3])).orElse(-1L);
    }

    /**
     * The nearest ancestor of this JVM above its parent that is no more than that (-1 for none): not the JVM's
     * session leader nor the leader of its process group, which are refused for those reasons first (a build
     * started through {@code setsid} makes the build tool the JVM's session leader).
     */
    public static long plainAncestor() {
        long self = ProcessHandle.current().pid();
        for (long pid = ppid(ppid(self)); pid > 1; pid = ppid(pid)) {
            if (pid != sid(self) && pid != pgid(self)) {
                return pid;
            }
        }
        return -1;
    }

    public static long startTime(long pid) {
        return stat(pid).map(f -> Long.parseLong(f[19])).orElse(-1L);
    }

    /** That very process (same pid and start time, this boot) runs: not gone, not a zombie. */
    public static boolean isRunning(dev.managedprocesses.ProcessIdentity identity) {
        return alive(identity.pid()) && startTime(identity.pid()) == identity.startTime()
                && identity.bootId().equals(bootId());
    }

    /** This boot's id, read directly. */
    public static String bootId() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The environment of {@code pid} as text (entries separated by NUL), or "" when unreadable. */
    public static String environ(long pid) {
        try {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/" + pid + "/environ")),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The live processes whose parent is {@code pid}. */
    public static List<Long> children(long pid) {
        List<Long> out = new java.util.ArrayList<>();
        for (long p : pids()) {
            if (ppid(p) == pid && alive(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether a TCP socket listens on {@code port} (IPv4 or IPv6), read from /proc/net/tcp{,6}. */
    public static boolean listening(int port) {
        String hex = String.format(":%04X ", port);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && (f[1] + " ").endsWith(hex) && f[3].equals("0A")) {
                        return true;
                    }
                }
            } catch (java.io.IOException e) {
                // no such table
            }
        }
        return false;
    }

    /**
     * Suspended: stopped by a signal (state T), or frozen in its cgroup ({@code frozen 1} in the
     * {@code cgroup.events} of the cgroup v2 that {@code /proc/PID/cgroup} names): a frozen process shows as
     * sleeping, not stopped.
     */
    public static boolean suspended(long pid) {
        if (state(pid) == 'T') {
            return true;
        }
        try {
            String cgroup = cgroup(pid);
            String mount = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mountinfo")).stream()
                    .filter(l -> l.contains(" - cgroup2 ")).map(l -> l.split(" ")[4]).findFirst().orElse(null);
            if (cgroup.isEmpty() || mount == null) {
                return false;
            }
            return java.nio.file.Files.readString(java.nio.file.Path.of(mount + cgroup, "cgroup.events")).contains("frozen 1");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Alive = exists and is neither a zombie nor dead. */
    public static boolean alive(long pid) {
        char s = state(pid);
        return s != '-' && s != 'Z' && s != 'X';
    }

    public static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The command line, arguments joined by spaces; empty if the process is gone (or is exec'ing). */
    public static String cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            int end = raw.length > 0 && raw[raw.length - 1] == 0 ? raw.length - 1 : raw.length;
            return new String(raw, 0, end, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The process's cgroup v2 path ({@code 0::} line of {@code /proc/PID/cgroup}), or "" when unreadable. */
    public static String cgroup(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
                if (line.startsWith("0::")) {
                    return line.substring(3);
                }
            }
        } catch (IOException e) {
            // gone
        }
        return "";
    }

    public static boolean exists(long pid) {
        return Files.exists(Path.of("/proc/" + pid));
    }

    /** Every pid in the table. */
    public static List<Long> pids() {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            List<Long> out = new ArrayList<>();
            s.forEach(p -> {
                String n = p.getFileName().toString();
                if (n.chars().allMatch(Character::isDigit)) {
                    out.add(Long.parseLong(n));
                }
            });
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Live processes whose environment contains {@code entry}. */
    public static List<Long> withEnvironment(String entry) {
        List<Long> out = new ArrayList<>();
        byte[] want = entry.getBytes(StandardCharsets.UTF_8);
        for (long pid : pids()) {
            try {
                byte[] env = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
                int start = 0;
                for (int i = 0; i <= env.length; i++) {
                    if (i == env.length || env[i] == 0) {
                        if (i - start == want.length && java.util.Arrays.equals(env, start, i, want, 0, want.length)
                                && alive(pid)) {
                            out.add(pid);
                            break;
                        }
                        start = i + 1;
                    }
                }
            } catch (IOException e) {
                // gone or not readable
            }
        }
        return out;
    }

    /** Live processes whose command line (arguments joined by spaces, or a title the process set) contains {@code fragment}. */
    public static List<Long> withCommandLine(String fragment) {
        long self = ProcessHandle.current().pid();
        List<Long> out = new ArrayList<>();
        for (long pid : pids()) {
            if (pid != self && cmdline(pid).contains(fragment) && alive(pid)) {
                out.add(pid);
            }
        }
        return out;
    }

    /** The soft value of one limit in {@code /proc/PID/limits} (e.g. "Max realtime timeout"), or "" when gone. */
    public static String limit(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
                if (line.startsWith(name)) {
                    return line.substring(name.length()).trim();
                }
            }
        } catch (IOException e) {
            // gone
        }
        return "";
    }

    /** This JVM's {@code /proc/self/fdinfo/FD} on one line ("Pid: N" for a pidfd), or "" when closed. */
    public static String fdInfo(int fd) {
        try {
            return String.join("; ", Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)));
        } catch (IOException e) {
            return "";
        }
    }

    /** Zombie children of this JVM. */
    public static List<Long> zombieChildren() {
        long self = ProcessHandle.current().pid();
        List<Long> out = new ArrayList<>();
        for (long pid : pids()) {
            if (state(pid) == 'Z' && ppid(pid) == self) {
                out.add(pid);
            }
        }
        return out;
    }

    /**
     * This JVM's open pipes, pidfds, epoll and event fds (what the library creates), by fd number.
     * Jar files and sockets the JVM opens lazily while loading classes are not counted.
     */
    public static java.util.Map<Integer, String> libraryKindFds() {
        java.util.Map<Integer, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("pipe:") || target.startsWith("anon_inode:")) {
                        out.put(Integer.parseInt(p.getFileName().toString()), target);
                    }
                } catch (IOException e) {
                    // closed while listing (the directory stream's own fd, for one)
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * This JVM's pidfds that refer to {@code pid} (their fdinfo's "Pid:"). Every pidfd links to the same
     * "anon_inode:[pidfd]", so a new one that got the number of one closed meanwhile is not told apart by
     * {@link #openedSince}; this is.
     */
    public static java.util.List<Integer> pidfdsOf(long pid) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (var e : libraryKindFds().entrySet()) {
            if (e.getValue().equals("anon_inode:[pidfd]")
                    && fdinfoField(e.getKey(), "Pid:").filter(v -> v.equals(Long.toString(pid))).isPresent()) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** The value of the line {@code key} (e.g. "Pid:") in this JVM's {@code /proc/self/fdinfo/FD}; empty if closed. */
    private static java.util.Optional<String> fdinfoField(int fd, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith(key)) {
                    return java.util.Optional.of(line.substring(key.length()).trim());
                }
            }
        } catch (IOException closed) {
            // closed since it was listed
        }
        return java.util.Optional.empty();
    }

    /** The {@code flags} of this JVM's descriptor {@code fd} (octal in /proc/self/fdinfo), e.g. O_CLOEXEC = 02000000. */
    public static int fdFlags(int fd) {
        return fdinfoField(fd, "flags:").map(v -> Integer.parseInt(v, 8))
                .orElseThrow(() -> new IllegalStateException("fd " + fd + " is closed, or its fdinfo has no flags line"));
    }

    /** What descriptor {@code fd} of {@code pid} names (e.g. "pipe:[123]"), or "" if it is not open. */
    public static String fdTarget(long pid, int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Every descriptor of this JVM by number, with what it names, except jars and the JDK's module image
     * (which the JVM opens lazily while loading classes) and the listing's own directory descriptor.
     */
    public static java.util.Map<Integer, String> fdsExceptClassLoading() {
        java.util.Map<Integer, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (!target.endsWith(".jar") && !target.endsWith("/lib/modules") && !target.matches("/proc/\\d+/fd")) {
                        out.put(Integer.parseInt(p.getFileName().toString()), target);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * The descriptors in {@code now} that were not in {@code before}: new numbers, and numbers that name something
     * else since (a closed descriptor's number is reused). A descriptor closed since (the JDK's cleaner closing
     * an earlier test's unclosed stream, or the library releasing an earlier teardown's pipes) is not counted.
     */
    public static java.util.Map<Integer, String> openedSince(java.util.Map<Integer, String> before,
            java.util.Map<Integer, String> now) {
        java.util.Map<Integer, String> out = new java.util.TreeMap<>(now);
        out.entrySet().removeAll(before.entrySet());
        return out;
    }

    public static int openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fds a process has open (by number). */
    public static List<Integer> fdsOf(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A line of /proc/<pid>/status such as {@code SigBlk}. */
    public static String status(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key + ":")) {
                    return line.substring(key.length() + 1).trim();
                }
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    public static int threads() {
        return Integer.parseInt(status(ProcessHandle.current().pid(), "Threads"));
    }

    public static boolean isRoot() {
        return "0".equals(status(ProcessHandle.current().pid(), "Uid").split("\\s+")[0]);
    }

    /** Polls {@code condition} (for test set-up only, never for the library's own waiting). */
    public static boolean eventually(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
