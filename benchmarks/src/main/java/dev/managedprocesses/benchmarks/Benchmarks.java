package dev.managedprocesses.benchmarks;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What the benchmarks share: the commands they run and the marker that finds strays. */
public final class Benchmarks {
    /** System property (set by the harness for every forked JVM) naming this run. */
    public static final String RUN_PROPERTY = "mp.benchmark.run";
    /** Environment variable put into every long-lived child, so the harness can prove none outlived the run. */
    public static final String MARKER = "MP_BENCHMARK_RUN";

    static final String TRUE = "/bin/true";
    static final List<String> ECHO_HELLO = List.of("sh", "-c", "echo hello");
    static final List<String> LONG_SLEEP = List.of("sleep", "1000");
    /** Prints the pid of a background sleep that is its child, not ours, then waits for it. */
    static final List<String> NON_CHILD_SLEEP = List.of("sh", "-c", "sleep 1000 & echo $!; wait");
    static final String HELLO = "hello";

    static final int SIGKILL = 9;
    static final int SIGTERM = 15;

    private Benchmarks() {
    }

    /** This run's id ({@value #RUN_PROPERTY}), or {@code adhoc}. */
    public static String runId() {
        return System.getProperty(RUN_PROPERTY, "adhoc");
    }

    /** The JVM's environment plus the run marker. */
    public static Map<String, String> childEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(MARKER, runId());
        return env;
    }

    static String checkHello(String output) {
        if (!output.startsWith(HELLO)) {
            throw new IllegalStateException("expected the child to print '" + HELLO + "' but got '" + output + "'");
        }
        return output;
    }

    static int checkZero(int exitCode) {
        if (exitCode != 0) {
            throw new IllegalStateException("expected exit code 0 but got " + exitCode);
        }
        return exitCode;
    }

    /** Waits (up to 5 s) until {@code pid} runs {@code comm}: a forked shell child has exec'd. */
    static void awaitExec(long pid, String comm) {
        Path file = Path.of("/proc/" + pid + "/comm");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                if (Files.readString(file).trim().equals(comm)) {
                    return;
                }
            } catch (IOException e) {
                throw new IllegalStateException("pid " + pid + " vanished before running " + comm, e);
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("pid " + pid + " did not exec " + comm + " within 5 s");
    }

    /** Ends a JDK process that a benchmark may have left running (only when it failed), and reaps it. */
    static void endJdkProcess(Process process) throws InterruptedException {
        if (process == null) {
            return;
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        for (Closeable stream : new Closeable[] {process.getInputStream(), process.getErrorStream(),
                process.getOutputStream()}) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // the process is gone; nothing left to flush
            }
        }
    }

    /** Every process still carrying run {@code runId}'s marker is a stray: named (pid and command line), then killed. */
    static List<String> killStrays(String runId) {
        List<String> strays = new ArrayList<>();
        String marker = MARKER + "=" + runId;
        byte[] want = marker.getBytes(StandardCharsets.UTF_8);
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == ProcessHandle.current().pid()) {
                    continue;
                }
                // The handle first: it keeps the start time of the process it names, and destroyForcibly() signals
                // nothing if the pid has been recycled since. Taken after the read, a process that ended between the
                // two could have its pid's next owner killed.
                Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(name));
                if (handle.isEmpty()) {
                    continue;
                }
                byte[] env;
                try {
                    env = Files.readAllBytes(dir.resolve("environ"));
                } catch (IOException e) {
                    continue;
                }
                ProcessHandle h = handle.get();
                if (contains(env, want) && h.isAlive()) {
                    strays.add(h.pid() + " " + h.info().commandLine().orElse("?"));
                    h.destroyForcibly();
                }
            }
        } catch (IOException e) {
            strays.add("(could not scan /proc: " + e.getMessage() + ")");
        }
        return strays;
    }

    private static boolean contains(byte[] env, byte[] want) {
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                if (i - start == want.length && java.util.Arrays.equals(env, start, i, want, 0, want.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }
}
