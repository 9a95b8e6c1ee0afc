package dev.managedprocesses.benchmarks;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * (4) Teardown of N live process groups that obey SIGTERM (each a {@code sleep} leading its own
 * group), started untimed before each single-shot measurement: a scope's {@code close()} (SIGTERM,
 * event-driven wait, reap, verify with a fresh process-table snapshot, records) against the floor, a
 * raw loop of {@code killpg(SIGTERM)} over every group and then a blocking {@code waitpid} for every
 * leader.
 */
public class TeardownBenchmark {

    /** N groups in a scope whose grace period is long enough that nothing needs SIGKILL. */
    @State(Scope.Thread)
    public static class ManagedGroups {
        @Param({"10", "100", "1000"})
        public int groups;

        ProcessScope scope;
        final List<ManagedProcess> processes = new ArrayList<>();

        /** Proves that this fork loaded the library meant for it: {@link LibraryCheck}. */
        @Setup(Level.Trial)
        public void checkLibrary(BenchmarkParams params) {
            LibraryCheck.once(params);
        }

        @Setup(Level.Invocation)
        public void start() {
            scope = ProcessScope.builder().name("teardown-" + groups).gracePeriod(Duration.ofSeconds(30)).open();
            processes.clear();
            for (int i = 0; i < groups; i++) {
                processes.add(scope.command(Benchmarks.LONG_SLEEP).environment(Benchmarks.MARKER, Benchmarks.runId())
                        .start());
            }
        }

        @TearDown(Level.Invocation)
        public void check() {
            scope.close(); // idempotent: a no-op after the benchmark, the cleanup if it failed
            for (ManagedProcess p : processes) {
                if (p.isAlive()) {
                    throw new IllegalStateException(p + " survived the scope's close()");
                }
            }
        }
    }

    @Benchmark
    public ProcessScope managedProcesses(ManagedGroups s) {
        s.scope.close();
        return s.scope;
    }

    /** N groups spawned raw. */
    @State(Scope.Thread)
    public static class RawGroups {
        @Param({"10", "100", "1000"})
        public int groups;

        int[] pids;
        boolean[] reaped;

        @Setup(Level.Invocation)
        public void start() {
            pids = new int[groups];
            reaped = new boolean[groups];
            for (int i = 0; i < groups; i++) {
                pids[i] = RawPosix.spawn(true, Benchmarks.LONG_SLEEP.toArray(new String[0]));
            }
        }

        @TearDown(Level.Invocation)
        public void cleanUp() {
            for (int i = 0; i < groups; i++) {
                if (!reaped[i]) { // only when the benchmark failed half-way
                    RawPosix.killGroup(pids[i], Benchmarks.SIGKILL);
                    RawPosix.waitpid(pids[i]);
                    reaped[i] = true;
                }
            }
        }
    }

    /** The floor: killpg(SIGTERM) each group, then waitpid each leader. */
    @Benchmark
    public int rawKillpgWaitpid(RawGroups s) {
        return RawPosix.killGroupsThenWaitEach(s.pids, s.reaped);
    }
}
