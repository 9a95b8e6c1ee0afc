package dev.managedprocesses.torture;

import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.testing.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Processes started outside every scope, with plain ProcessBuilder, that log every catchable signal
 * they receive. After a torture run each must be alive, not stopped, with the same start time, and
 * its log empty: a signal sent to it by mistake (even a harmless SIGCONT) is caught and counted.
 */
final class TrappingStrangers implements AutoCloseable {
    private static final String SCRIPT = "for s in HUP INT QUIT USR1 USR2 TERM CONT ALRM PIPE; do "
            + "trap \"echo $s >> $LOG\" $s; done; echo ready; while :; do sleep 1; done";

    private final List<Process> processes = new ArrayList<>();
    private final List<Long> startTimes = new ArrayList<>();
    private final Path dir;

    TrappingStrangers(int count) throws IOException {
        dir = Files.createTempDirectory("strangers");
        for (int i = 0; i < count; i++) {
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", SCRIPT);
            pb.environment().put("LOG", dir.resolve("signals-" + i).toString());
            Process p = pb.start();
            String ready = new String(p.getInputStream().readNBytes(6));
            if (!ready.startsWith("ready")) {
                throw new IllegalStateException("stranger did not start: " + ready);
            }
            processes.add(p);
            startTimes.add(Proc.startTime(p.pid()));
        }
    }

    /** How many strangers got a signal, died, were stopped or replaced. */
    int wronged() throws IOException {
        int wronged = 0;
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            Path log = dir.resolve("signals-" + i);
            boolean signalled = Files.exists(log) && Files.size(log) > 0;
            if (signalled || !p.isAlive() || Proc.startTime(p.pid()) != startTimes.get(i) || Proc.state(p.pid()) == 'T') {
                wronged++;
            }
        }
        return wronged;
    }

    String describe() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < processes.size(); i++) {
            Path log = dir.resolve("signals-" + i);
            sb.append("stranger ").append(processes.get(i).pid()).append(": alive=").append(processes.get(i).isAlive())
                    .append(" state=").append(Proc.state(processes.get(i).pid()))
                    .append(" signals=").append(Files.exists(log) ? Files.readString(log).replace('\n', ' ') : "")
                    .append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        // Each stranger is stopped first: between the kill of its `sleep 1` and its own, a running one
        // would fork the next `sleep 1`, an orphan that re-parents to this JVM (a subreaper) and becomes
        // its zombie a second later, in whichever test runs next. The killed sleeps become zombies of
        // this JVM too once their stopped parent dies: they are reaped here, by pid and start time.
        OsProcesses os = OsProcesses.instance();
        long self = ProcessHandle.current().pid();
        Map<Long, Long> orphans = new HashMap<>();
        for (Process p : processes) {
            if (p.isAlive()) {
                os.signalPid(p.pid(), 19); // SIGSTOP; a live child of ours, so its pid is pinned
            }
            p.descendants().forEach(d -> {
                orphans.put(d.pid(), Proc.startTime(d.pid()));
                d.destroyForcibly();
            });
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Proc.eventually(Duration.ofSeconds(5), () -> processes.stream().noneMatch(Process::isAlive));
        Proc.eventually(Duration.ofSeconds(10), () -> {
            orphans.entrySet().removeIf(e -> Proc.startTime(e.getKey()) != e.getValue() // gone
                    || (Proc.state(e.getKey()) == 'Z' && Proc.ppid(e.getKey()) == self && os.reap(e.getKey()).isPresent()));
            return orphans.isEmpty();
        });
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
