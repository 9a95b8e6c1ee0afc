package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.ProcessScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Run by {@link DelegatedCgroupTest} in a child JVM (as a user other than root, or as root in a container of
 * namespaces), with the public API only.
 * {@code <dir> start}: one scope starts {@code true} (enough for the containment line on stderr).
 * {@code <dir> daemons}: one scope starts two daemons that wait until they are in a scope's cgroup (not with
 * {@code daemons-no-cgroups}, for a JVM that has none) and then leave every other trace behind (a new session,
 * a wiped environment, a double fork, a process title), closes, and prints {@code daemon <pid> <cgroup>} for
 * each, {@code gone <pid>} or {@code survivor <pid>} after the close, {@code timerslack-readable true|false} for
 * one daemon, and {@code done}. A survivor is killed before the exit, so nothing outlives this JVM but what its
 * parent test then reports.
 * {@code <dir> hold}: the same daemons, printed the same way, then {@code ready}, and the JVM waits (at most
 * ten minutes) to be killed with its scope open: what ends the daemons then is the janitor.
 */
public final class DelegatedScopeChild {
    /** Loops until the process's own cgroup is a scope's ({@code .../s-<scope>/...}), at most about 10 s. */
    private static final String SH_AWAIT_SCOPE = "i=0; until grep -q '/s-' /proc/self/cgroup || [ $i -ge 1000 ]; do"
            + " sleep 0.01; i=$((i+1)); done; ";
    private static final String PERL_AWAIT_SCOPE = "for (1..1000) { open(my $c, '<', '/proc/self/cgroup') or die;"
            + " last if join('', <$c>) =~ m{/s-}; select(undef, undef, undef, 0.01) } ";

    private DelegatedScopeChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        if (args[1].equals("start")) {
            try (ProcessScope scope = ProcessScope.open()) {
                System.out.println("true " + scope.start("true").waitFor(Duration.ofSeconds(30)));
            }
            return;
        }
        if (args[1].equals("hold")) {
            ProcessScope scope = ProcessScope.builder().name("held").open();
            startDaemons(scope, dir, args[1]);
            System.out.println("ready");
            Thread.sleep(Duration.ofMinutes(10).toMillis());
            return;
        }
        Map<Long, Long> daemons;
        try (ProcessScope scope = ProcessScope.builder().name("delegated").gracePeriod(Duration.ofMillis(200)).open()) {
            daemons = startDaemons(scope, dir, args[1]);
            long first = daemons.keySet().iterator().next();
            System.out.println("timerslack-readable " + readable(Path.of("/proc/" + first + "/timerslack_ns")));
        }
        for (Map.Entry<Long, Long> d : daemons.entrySet()) {
            long pid = d.getKey();
            boolean alive = startTime(pid) == d.getValue();
            System.out.println((alive ? "survivor " : "gone ") + pid);
            if (alive) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        System.out.println("done");
    }

    /**
     * Starts the two daemons ({@code mode}: {@code main}'s), waits for their pids and prints a {@code daemon} line
     * for each; returns pid -> start time.
     */
    private static Map<Long, Long> startDaemons(ProcessScope scope, Path dir, String mode)
            throws IOException, InterruptedException {
        Path a = dir.resolve("sleep.pid");
        Path b = dir.resolve("perl.pid");
        boolean inCgroups = !mode.equals("daemons-no-cgroups");
        scope.start("sh", "-c", (inCgroups ? SH_AWAIT_SCOPE : "")
                + "(env -i setsid sleep 300 & echo $! > " + a + "); exit 0");
        scope.start("perl", "-MPOSIX", "-e", (inCgroups ? PERL_AWAIT_SCOPE : "")
                + "exit 0 if fork; POSIX::setsid(); exit 0 if fork;"
                + " $0 = 'innocent-title'; %ENV = (); open(my $f, '>', '" + b + ".tmp') or die;"
                + " print $f \"$$\\n\"; close $f; rename('" + b + ".tmp', '" + b + "'); sleep 300");
        Map<Long, Long> daemons = new LinkedHashMap<>();
        for (Path f : new Path[] {a, b}) {
            long pid = awaitPid(f);
            daemons.put(pid, startTime(pid));
            System.out.println("daemon " + pid + " " + cgroupOf(pid));
        }
        return daemons;
    }

    /** Waits for the pid a daemon wrote (the sleep's appears before its exec; the perl one's by rename). */
    private static long awaitPid(Path file) throws IOException, InterruptedException {
        for (int i = 0; i < 6000; i++) {
            if (Files.exists(file)) {
                String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no pid in " + file + " after 60 s");
    }

    /** Field 22 of /proc/PID/stat, or -1 when gone or a zombie. */
    private static long startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return f[0].equals("Z") ? -1 : Long.parseLong(f[19]);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String cgroupOf(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream().filter(l -> l.startsWith("0::"))
                .findFirst().map(l -> l.substring(3)).orElse("none");
    }

    private static boolean readable(Path file) {
        try {
            Files.readString(file, StandardCharsets.US_ASCII);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
