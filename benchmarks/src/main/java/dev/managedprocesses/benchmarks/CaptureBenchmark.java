package dev.managedprocesses.benchmarks;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.PumpStreamHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.zeroturnaround.exec.ProcessExecutor;

/** (2) Spawn {@code sh -c 'echo hello'}, capture its stdout, wait for its exit; every result is checked. */
@State(Scope.Benchmark)
public class CaptureBenchmark {
    private ProcessScope scope;

    /** Proves that this fork loaded the library meant for it: {@link LibraryCheck}. */
    @Setup(Level.Trial)
    public void checkLibrary(BenchmarkParams params) {
        LibraryCheck.once(params);
    }

    @Setup(Level.Iteration)
    public void openScope() {
        scope = ProcessScope.builder().name("capture-benchmark").gracePeriod(Duration.ofSeconds(1)).open();
    }

    @TearDown(Level.Iteration)
    public void closeScope() {
        scope.close();
    }

    @Benchmark
    public String managedProcesses() throws InterruptedException {
        ManagedProcess p = scope.start(Benchmarks.ECHO_HELLO);
        Benchmarks.checkZero(p.waitFor().code());
        return Benchmarks.checkHello(p.stdout().text()); // complete once waitFor() returns
    }

    @Benchmark
    public String jdk() throws Exception {
        Process p = new ProcessBuilder(Benchmarks.ECHO_HELLO).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Benchmarks.checkZero(p.waitFor());
        return Benchmarks.checkHello(out);
    }

    @Benchmark
    public String ztExec() throws Exception {
        return Benchmarks.checkHello(new ProcessExecutor().command(Benchmarks.ECHO_HELLO).readOutput(true)
                .exitValueNormal().execute().outputUTF8());
    }

    @Benchmark
    public String commonsExec() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(out));
        CommandLine command = new CommandLine("sh").addArgument("-c").addArgument("echo hello", false);
        Benchmarks.checkZero(executor.execute(command));
        return Benchmarks.checkHello(out.toString(StandardCharsets.UTF_8));
    }

    @Benchmark
    public String nuProcess() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NuProcess p = new NuProcessBuilder(new NuAbstractProcessHandler() {
            @Override
            public void onStdout(ByteBuffer buffer, boolean closed) {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                synchronized (out) {
                    out.write(bytes, 0, bytes.length);
                }
            }
        }, Benchmarks.ECHO_HELLO).start();
        Benchmarks.checkZero(p.waitFor(0, TimeUnit.SECONDS));
        synchronized (out) {
            return Benchmarks.checkHello(out.toString(StandardCharsets.UTF_8));
        }
    }
}
