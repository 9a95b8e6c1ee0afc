package dev.managedprocesses.benchmarks;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ProcessScope;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.zeroturnaround.exec.ProcessExecutor;

/**
 * (1) Spawn {@code /bin/true} and wait for its exit, each library used the way its documentation
 * shows (default stdio: the JDK, managed-processes and NuProcess create pipes; zt-exec and Commons Exec
 * also pump them with threads).
 */
@State(Scope.Benchmark)
public class SpawnBenchmark {
    private ProcessScope scope;

    /** Proves that this fork loaded the library meant for it: {@link LibraryCheck}. */
    @Setup(Level.Trial)
    public void checkLibrary(BenchmarkParams params) {
        LibraryCheck.once(params);
    }

    /** A scope per iteration, like a scope per test: its bookkeeping does not grow without bound. */
    @Setup(Level.Iteration)
    public void openScope() {
        scope = ProcessScope.builder().name("spawn-benchmark").gracePeriod(Duration.ofSeconds(1)).open();
    }

    @TearDown(Level.Iteration)
    public void closeScope() {
        scope.close();
    }

    @Benchmark
    public ExitStatus managedProcesses() throws InterruptedException {
        ExitStatus status = scope.start(Benchmarks.TRUE).waitFor();
        Benchmarks.checkZero(status.code());
        return status;
    }

    @Benchmark
    public int jdk() throws Exception {
        return Benchmarks.checkZero(new ProcessBuilder(Benchmarks.TRUE).start().waitFor());
    }

    @Benchmark
    public int ztExec() throws Exception {
        return Benchmarks.checkZero(new ProcessExecutor().command(Benchmarks.TRUE).execute().getExitValue());
    }

    @Benchmark
    public int commonsExec() throws Exception {
        return Benchmarks.checkZero(DefaultExecutor.builder().get().execute(new CommandLine(Benchmarks.TRUE)));
    }

    @Benchmark
    public int nuProcess() throws Exception {
        NuProcess p = new NuProcessBuilder(new NuAbstractProcessHandler() { }, List.of(Benchmarks.TRUE)).start();
        return Benchmarks.checkZero(p.waitFor(0, TimeUnit.SECONDS));
    }

    /** Reference, not a peer: posix_spawnp + blocking waitpid on jnr-ffi, no pipes (the "about 0.42x"). */
    @Benchmark
    public int rawPosixSpawn() {
        int status = RawPosix.waitpid(RawPosix.spawn(false, Benchmarks.TRUE));
        return Benchmarks.checkZero(status);
    }
}
