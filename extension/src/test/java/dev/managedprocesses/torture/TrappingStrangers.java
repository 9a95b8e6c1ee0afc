package dev.managedprocesses.torture;

import dev.managedprocesses.testing.JdkTrees;
import dev.managedprocesses.testing.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
            if (signalled || !p.isAlive() || Proc.startTime(p.pid()) != startTimes.get(i) || Proc.suspended(p.pid())) {
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
        for (Process p : processes) {
            try {
                JdkTrees.end(p); // stopped first: killed as it loops, it would leave its next sleep as our zombie
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Proc.eventually(Duration.ofSeconds(5), () -> processes.stream().noneMatch(Process::isAlive));
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
