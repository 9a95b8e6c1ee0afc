package dev.managedprocesses.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code java} process running {@link CrashChild} on this JVM's test classpath, started with plain
 * {@link ProcessBuilder} (the JDK reaps it), its stdout and stderr merged and collected line by line.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new ArrayList<>(); // guarded by itself
    private final Thread reader;

    private ChildJvm(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "child-jvm-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code CrashChild <mode>} with extra JVM options (system properties). */
    public static ChildJvm start(String mode, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Light: the machine is shared, and these JVMs only start processes and wait.
        command.addAll(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m"));
        // The child runs the way this JVM runs: the same containment and platform switches (the Surefire
        // executions set them as system properties).
        for (String key : List.of("managedprocesses.cgroups", "managedprocesses.subreaper", "managedprocesses.platform")) {
            String value = System.getProperty(key);
            if (value != null) {
                command.add("-D" + key + "=" + value);
            }
        }
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), mode));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("MANAGED_PROCESSES_SCOPE");
        return new ChildJvm(builder.start());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the stream was closed under us: the child is gone
        }
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** Every line so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The values of the lines {@code "<key> <number>"} ({@code "janitor none"} has none). */
    public List<Long> numbers(String key) {
        List<Long> out = new ArrayList<>();
        for (String line : lines()) {
            String value = line.startsWith(key + " ") ? line.substring(key.length() + 1).trim() : "";
            if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
                out.add(Long.parseLong(value));
            }
        }
        return out;
    }

    /** Waits for a line that matches; fails with the whole output so far when none comes in time. */
    public String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    if (wanted.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    throw new AssertionError("the child JVM did not print the expected line in " + timeout
                            + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
                            + "; its output:\n" + String.join("\n", lines));
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Waits for {@code ready}. */
    public void awaitReady() throws InterruptedException {
        awaitLine("ready"::equals, Duration.ofSeconds(120));
    }

    /** Sends a line to the child's stdin. */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** Waits for the exit and for the rest of the output. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the child JVM did not exit in " + timeout + "; its output:\n"
                    + String.join("\n", lines()));
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    /** Kills the child (SIGKILL) if it still runs, and waits for it and its output. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
