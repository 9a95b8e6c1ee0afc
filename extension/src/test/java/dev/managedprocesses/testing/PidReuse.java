package dev.managedprocesses.testing;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Forces the kernel to hand out a given pid (root only): write {@code pid - 1} to
 * {@code /proc/sys/kernel/ns_last_pid}, then start a process. Another thread of the JVM can take
 * the pid first, so it retries.
 */
public final class PidReuse {
    private static final Path NS_LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");

    private PidReuse() {
    }

    /** Null when forcing pid reuse works here, else why it does not (for the skip message). */
    public static String unavailableReason() {
        if (!Proc.isRoot()) {
            return "forcing pid reuse needs root (writes /proc/sys/kernel/ns_last_pid); this JVM runs as uid "
                    + Proc.status(ProcessHandle.current().pid(), "Uid").split("\\s+")[0];
        }
        if (!Files.isWritable(NS_LAST_PID)) {
            return NS_LAST_PID + " is not writable here (no CAP_SYS_ADMIN in this pid namespace?)";
        }
        return null;
    }

    /** Starts {@code command} (outside every scope) with exactly {@code pid}, or empty after 50 tries. */
    public static Optional<Process> startWithPid(long pid, String... command) throws IOException, InterruptedException {
        for (int i = 0; i < 50; i++) {
            try (FileOutputStream out = new FileOutputStream(NS_LAST_PID.toFile())) {
                out.write(Long.toString(pid - 1).getBytes(StandardCharsets.US_ASCII)); // one write(2)
            }
            Process p = new ProcessBuilder(command).start();
            if (p.pid() == pid) {
                return Optional.of(p);
            }
            p.destroyForcibly();
            p.waitFor();
        }
        return Optional.empty();
    }
}
