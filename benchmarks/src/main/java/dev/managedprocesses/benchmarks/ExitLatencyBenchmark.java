package dev.managedprocesses.benchmarks;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * (3) Exit-notification latency: a running {@code sleep} is sent SIGKILL (one raw {@code kill(2)} for
 * every contender) and the benchmark waits until the handle reports the exit. The measured time is
 * the kill, the kernel tearing the process down, and the notification; {@link #rawWaitpid} measures
 * the first two with a thread already blocked in {@code waitpid} (the floor), so what a library adds
 * is its time minus the floor. The process is started, untimed, before each invocation.
 */
public class ExitLatencyBenchmark {

    /** A sleeping child of ours, fresh for every invocation. */
    @State(Scope.Thread)
    public static class Managed {
        ProcessScope scope;
        ManagedProcess process;

        /** Proves that this fork loaded the library meant for it: {@link LibraryCheck}. */
        @Setup(Level.Trial)
        public void checkLibrary(BenchmarkParams params) {
            LibraryCheck.once(params);
        }

        @Setup(Level.Iteration)
        public void openScope() {
            scope = ProcessScope.builder().name("exit-latency").gracePeriod(Duration.ofSeconds(1)).open();
        }

        @Setup(Level.Invocation)
        public void startChild() {
            process = scope.command(Benchmarks.LONG_SLEEP).environment(Benchmarks.MARKER, Benchmarks.runId()).start();
        }

        @TearDown(Level.Iteration)
        public void closeScope() {
            scope.close();
        }
    }

    @Benchmark
    public ExitStatus managedWaitFor(Managed s) throws InterruptedException {
        RawPosix.kill((int) s.process.pid(), Benchmarks.SIGKILL);
        return s.process.waitFor();
    }

    @Benchmark
    public ExitStatus managedOnExit(Managed s) {
        RawPosix.kill((int) s.process.pid(), Benchmarks.SIGKILL);
        return s.process.onExit().join();
    }

    /** A sleeping child started with ProcessBuilder, fresh for every invocation. */
    @State(Scope.Thread)
    public static class Jdk {
        Process process;

        @Setup(Level.Invocation)
        public void startChild() throws IOException {
            ProcessBuilder pb = new ProcessBuilder(Benchmarks.LONG_SLEEP);
            pb.environment().put(Benchmarks.MARKER, Benchmarks.runId());
            process = pb.start();
        }

        @TearDown(Level.Invocation)
        public void reap() throws InterruptedException {
            Benchmarks.endJdkProcess(process);
        }
    }

    @Benchmark
    public int jdkWaitFor(Jdk s) throws InterruptedException {
        RawPosix.kill((int) s.process.pid(), Benchmarks.SIGKILL);
        return s.process.waitFor();
    }

    @Benchmark
    public int jdkOnExit(Jdk s) {
        RawPosix.kill((int) s.process.pid(), Benchmarks.SIGKILL);
        return s.process.onExit().join().exitValue();
    }

    /** A sleeping child spawned raw, in its own group, fresh for every invocation. */
    @State(Scope.Thread)
    public static class Raw {
        int pid;

        @Setup(Level.Invocation)
        public void startChild() {
            pid = RawPosix.spawn(true, Benchmarks.LONG_SLEEP.toArray(new String[0]));
        }
    }

    /** The floor: kill, then a blocking waitpid returns as soon as the kernel has the status. */
    @Benchmark
    public int rawWaitpid(Raw s) {
        RawPosix.kill(s.pid, Benchmarks.SIGKILL);
        return RawPosix.waitpid(s.pid);
    }

    /** A sleeping process that is a child of a helper shell, not of this JVM. */
    public static class NonChild {
        Process helper;
        long pid;

        void startNonChild() throws IOException {
            ProcessBuilder pb = new ProcessBuilder(Benchmarks.NON_CHILD_SLEEP);
            pb.environment().put(Benchmarks.MARKER, Benchmarks.runId());
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            helper = pb.start();
            BufferedReader r = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.US_ASCII));
            pid = Long.parseLong(r.readLine().trim());
            Benchmarks.awaitExec(pid, "sleep");
        }

        void endNonChild() throws InterruptedException {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                RawPosix.kill((int) pid, Benchmarks.SIGKILL);
            }
            Benchmarks.endJdkProcess(helper);
        }
    }

    /**
     * {@code ProcessHandle.onExit()} of a non-child polls: first after 300 ms, then 30 ms more each time.
     * The kill comes at a random moment of that first interval (as an exit would), so the median
     * approaches half of it.
     */
    @State(Scope.Thread)
    public static class JdkNonChild extends NonChild {
        CompletableFuture<ProcessHandle> exit;

        @Setup(Level.Invocation)
        public void start() throws IOException, InterruptedException {
            startNonChild();
            exit = ProcessHandle.of(pid).orElseThrow().onExit();
            TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(300_000));
        }

        @TearDown(Level.Invocation)
        public void end() throws InterruptedException {
            endNonChild();
        }
    }

    @Benchmark
    public ProcessHandle jdkNonChildOnExit(JdkNonChild s) {
        RawPosix.kill((int) s.pid, Benchmarks.SIGKILL);
        return s.exit.join();
    }

    /** The same kind of non-child, adopted by a scope (watched through a pidfd). */
    @State(Scope.Thread)
    public static class ManagedNonChild extends NonChild {
        ProcessScope scope;
        ManagedProcess adopted;

        /** Proves that this fork loaded the library meant for it: {@link LibraryCheck}. */
        @Setup(Level.Trial)
        public void checkLibrary(BenchmarkParams params) {
            LibraryCheck.once(params);
        }

        @Setup(Level.Iteration)
        public void openScope() {
            scope = ProcessScope.builder().name("exit-latency-adopted").gracePeriod(Duration.ofSeconds(1)).open();
        }

        @Setup(Level.Invocation)
        public void start() throws IOException {
            startNonChild();
            adopted = scope.adopt(pid);
        }

        @TearDown(Level.Invocation)
        public void end() throws InterruptedException {
            endNonChild();
        }

        @TearDown(Level.Iteration)
        public void closeScope() {
            scope.close();
        }
    }

    /**
     * An adopted non-child's exit status is unknowable (only its parent can read it), so
     * {@code waitFor} reports the exit by throwing {@link IllegalStateException}: that is the notification.
     */
    @Benchmark
    public boolean managedNonChildWaitFor(ManagedNonChild s) throws InterruptedException {
        RawPosix.kill((int) s.pid, Benchmarks.SIGKILL);
        try {
            s.adopted.waitFor(Duration.ofSeconds(30));
            return true;
        } catch (IllegalStateException exitedWithUnknownStatus) {
            return false;
        }
    }
}
