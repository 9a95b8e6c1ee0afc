package dev.managedprocesses.torture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.junit.ManagedProcesses;
import dev.managedprocesses.testing.Proc;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** JUnit parallel execution, 4 threads x 200 tests, each leaking processes into its scope. */
class ParallelTortureTest {
    static final ConcurrentLinkedQueue<ProcessIdentity> PIDS = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<String> SCOPES = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<String> CROSS_KILLS = new ConcurrentLinkedQueue<>();

    @Test
    void four_threads_by_two_hundred_tests_no_cross_kills_no_survivors() throws Exception {
        int tests = Integer.getInteger("managedprocesses.torture.parallel.tests", 800);
        try (TrappingStrangers strangers = new TrappingStrangers(3)) {
            EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                    .selectors(selectClass(LeakingTestCase.class))
                    .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                    .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                    .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                    .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
                    .configurationParameter("repetitions", Integer.toString(tests))
                    .execute();
            // by identity: with 1,600 processes on a busy machine, bare pids are recycled
            java.util.List<ProcessIdentity> alive = PIDS.stream().filter(Proc::isRunning).toList();
            long survivors = alive.size();
            long markedAlive = SCOPES.stream()
                    .mapToLong(id -> Proc.withEnvironment(ProcessScope.SCOPE_VARIABLE + "=" + id).size()).sum();
            System.out.printf("[torture] parallel: %d tests on 4 threads, %d processes, survivors=%d, cross-scope kills=%d, "
                    + "strangers signalled=%d%n", results.testEvents().succeeded().count(), PIDS.size(),
                    survivors + markedAlive, CROSS_KILLS.size(), strangers.wronged());
            results.testEvents().assertStatistics(s -> s.succeeded(LeakingTestCase.REPETITIONS).failed(0));
            assertThat(CROSS_KILLS).isEmpty();
            // Every process these tests start stays in its own group (the background sleep in the shell's): a record
            // that calls one an escapee is wrong. (A later spawn of the same scope once moved a group member it
            // found forked meanwhile, carrying the scope's marker, into its own cgroup.)
            java.util.List<String> records = results.allEvents().reportingEntryPublished().stream()
                    .flatMap(e -> e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class).stream())
                    .flatMap(r -> r.getKeyValuePairs().values().stream()).toList();
            assertThat(records).as("the teardown records, a report entry each").hasSizeGreaterThanOrEqualTo(PIDS.size());
            assertThat(records).filteredOn(r -> r.contains("[escaped]"))
                    .as("records that call a process of the tests' own groups an escapee").isEmpty();
            assertThat(alive).as("survivors").isEmpty();
            assertThat(markedAlive).as("processes with a marker of these scopes").isZero();
            assertThat(strangers.wronged()).isZero();
        }
    }

    @ManagedProcesses(gracePeriod = "100 ms")
    static class LeakingTestCase {
        static final int REPETITIONS = 800;

        @RepeatedTest(REPETITIONS)
        void leaks_into_its_scope(ProcessScope processes) throws Exception {
            SCOPES.add(processes.id());
            ManagedProcess group = processes.start("sh", "-c", "sleep 300 & exec sleep 300");
            ManagedProcess plain = processes.start("sleep", "300");
            PIDS.add(group.identity());
            PIDS.add(plain.identity());
            Thread.sleep(2); // let other tests' teardowns run meanwhile
            if (!group.isAlive() || !plain.isAlive()) {
                CROSS_KILLS.add(processes.name());
            }
        }
    }
}
