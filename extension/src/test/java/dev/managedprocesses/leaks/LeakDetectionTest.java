package dev.managedprocesses.leaks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.junit.ManagedProcesses;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Leak detection on real leaks: fixture tests ({@code *TestCase}) leak processes through plain
 * ProcessBuilder; the detector must name them, fail, warn or kill as configured, and every process
 * the fixtures leak is ended afterwards.
 */
class LeakDetectionTest {
    @TempDir
    Path reports;
    private Stranger stranger;

    @BeforeEach
    void start() {
        stranger = Stranger.start();
    }

    @AfterEach
    void cleanUp() {
        try (Stranger s = stranger) {
            endLeftovers();
            assertThat(s.untouched()).as("a process outside every test is never signalled").isTrue();
        }
    }

    /** Every fixture leaks "sleep 31x": end what is left of them (children or orphans of this JVM). */
    private static void endLeftovers() {
        ProcessHandle.current().descendants()
                .filter(h -> h.info().commandLine().orElse("").matches(".*sleep 31\\d.*"))
                .forEach(ProcessHandle::destroyForcibly);
        assertThat(Proc.eventually(java.time.Duration.ofSeconds(10), () -> ProcessHandle.current().descendants()
                .noneMatch(h -> h.isAlive() && h.info().commandLine().orElse("").matches(".*sleep 31\\d.*"))))
                .isTrue();
    }

    private EngineExecutionResults run(Class<?> fixture, String mode, String... more) {
        var kit = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture))
                .configurationParameter(LeakSettings.MODE_KEY, mode)
                .configurationParameter(LeakSettings.SETTLE_KEY, "300 ms")
                .configurationParameter(LeakSettings.KILL_GRACE_KEY, "500 ms")
                .configurationParameter(LeakSettings.REPORT_DIR_KEY, reports.toString());
        for (int i = 0; i + 1 < more.length; i += 2) {
            kit = kit.configurationParameter(more[i], more[i + 1]);
        }
        return kit.execute();
    }

    private String report(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(reports)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().matches("leaks-\\d+-[0-9a-f]{6}\\." + suffix))
                    .toList();
            assertThat(found).as("one %s report per JVM", suffix).hasSize(1);
            return Files.readString(found.get(0));
        }
    }

    // ---------------------------------------------------------------- fixtures

    @ExtendWith(LeakCheckExtension.class)
    static class PlainLeakTestCase {
        @Test
        void leaks_sleep() throws IOException {
            new ProcessBuilder("sleep", "311").start();
        }
    }

    @ExtendWith(LeakCheckExtension.class)
    static class DaemonLeakTestCase {
        @Test
        void leaks_a_daemon() throws Exception {
            // the intermediate shell exits at once: the sleep is orphaned and re-parents to the JVM (a subreaper)
            new ProcessBuilder("sh", "-c", "(sleep 312 &) ; exit 0").start().waitFor();
        }
    }

    @ExtendWith(LeakCheckExtension.class)
    static class CleanTestCase {
        @Test
        void waits_for_its_process() throws Exception {
            new ProcessBuilder("sleep", "0.05").start().waitFor();
        }

        @Test
        void uses_a_scope(@TempDir Path unused) {
            try (ProcessScope scope = ProcessScope.open()) {
                scope.start("sleep", "313");
            }
        }
    }

    @ExtendWith(LeakCheckExtension.class)
    @ManagedProcesses
    static class ScopeOwnedTestCase {
        @Test
        void the_scope_ends_it(ProcessScope processes) {
            processes.start("sleep", "314");
        }
    }

    @ExtendWith(LeakCheckExtension.class)
    static class ParallelTestCase {
        static java.util.concurrent.CyclicBarrier bothRunning = new java.util.concurrent.CyclicBarrier(2);

        @ParameterizedTest
        @ValueSource(booleans = {true, false})
        void overlap(boolean leak) throws Exception {
            bothRunning.await(10, java.util.concurrent.TimeUnit.SECONDS); // both tests are running now
            if (leak) {
                new ProcessBuilder("sleep", "315").start();
            }
            bothRunning.await(10, java.util.concurrent.TimeUnit.SECONDS); // and still running after the leak
        }
    }

    @ExtendWith(LeakCheckExtension.class)
    static class AllowedTestCase {
        @Test
        @AllowProcessLeaks("the fixture starts a daemon that outlives it on purpose")
        void allowed() throws IOException {
            new ProcessBuilder("sleep", "316").start();
        }
    }

    /** A server-like fixture, started outside every scope for the whole class and ended by the class. */
    @ExtendWith(LeakCheckExtension.class)
    static class ClassFixtureTestCase {
        static Process server;

        @BeforeAll
        static void startServer() throws IOException {
            server = new ProcessBuilder("sleep", "319").start();
        }

        @AfterAll
        static void stopServer() throws InterruptedException {
            server.destroy();
            server.waitFor();
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3, 4, 5})
        void uses_the_server(int n) {
            assertThat(server.isAlive()).isTrue();
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    void a_plain_process_builder_leak_is_named_in_the_report_and_fails_the_test() throws Exception {
        EngineExecutionResults results = run(PlainLeakTestCase.class, "fail");

        results.testEvents().assertThatEvents().haveExactly(1, event(test("leaks_sleep"), finishedWithFailure(
                instanceOf(AssertionError.class), message(m -> m.startsWith("Test LeakDetectionTest$PlainLeakTestCase > "
                        + "leaks_sleep() leaked 1 process (managed-processes leak detection, mode fail):\n  pid ")
                        && m.contains("sleep 311") && m.contains("@AllowProcessLeaks")))));
        String text = report("txt");
        assertThat(text).contains("1 leaked process in 1 finding.")
                .contains("1. LeakDetectionTest$PlainLeakTestCase > leaks_sleep()  [exact]")
                .contains("[method:leaks_sleep()]").containsPattern("pid \\d+  ppid \\d+  state [RS]  age [0-9.]+ s  user root  sleep 311")
                .contains("action: reported; test failed");
        assertThat(report("json")).contains("\"confidence\": \"exact\"").contains("\"commandLine\": \"sleep 311\"")
                .contains("\"displayName\": \"LeakDetectionTest$PlainLeakTestCase > leaks_sleep()\"");
    }

    @Test
    void a_double_forked_daemon_is_found_as_an_orphan() throws Exception {
        EngineExecutionResults results = run(DaemonLeakTestCase.class, "warn");
        results.testEvents().assertStatistics(s -> s.succeeded(1));
        assertThat(report("txt")).contains("leaks_a_daemon()  [exact]")
                .containsPattern("ppid " + ProcessHandle.current().pid() + "  state [RS] .* sleep 312");
    }

    @Test
    void a_process_started_in_before_all_and_ended_in_after_all_is_no_leak_and_no_test_waits_for_it() {
        // The settle budget is ten minutes: a test that waited for the class's fixture to end would hang.
        EngineExecutionResults results = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(60),
                () -> run(ClassFixtureTestCase.class, "fail", LeakSettings.SETTLE_KEY, "600 s"),
                "a test waited the settle budget for a process its class owns");
        results.testEvents().assertStatistics(s -> s.succeeded(5).failed(0));
        results.containerEvents().assertStatistics(s -> s.failed(0));
    }

    @Test
    void clean_tests_report_nothing() throws Exception {
        EngineExecutionResults results = run(CleanTestCase.class, "fail");
        results.testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
        assertThat(report("txt")).contains("0 leaked processes in 0 findings.");
        assertThat(report("json")).contains("\"leakedProcesses\": 0");
    }

    @Test
    void processes_a_scope_ends_are_not_leaks() throws Exception {
        run(ScopeOwnedTestCase.class, "fail").testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        assertThat(report("txt")).contains("0 leaked processes");
    }

    @Test
    void parallel_tests_are_both_named_and_the_finding_is_ambiguous() throws Exception {
        ParallelTestCase.bothRunning = new java.util.concurrent.CyclicBarrier(2);
        EngineExecutionResults results = run(ParallelTestCase.class, "warn",
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent");
        results.testEvents().assertStatistics(s -> s.succeeded(2));
        String text = report("txt");
        assertThat(text).contains("[ambiguous: 2 tests ran when it started]")
                .contains("candidate: LeakDetectionTest$ParallelTestCase > overlap(boolean) > [1] true")
                .contains("candidate: LeakDetectionTest$ParallelTestCase > overlap(boolean) > [2] false")
                .contains("sleep 315");
        assertThat(report("json")).contains("\"confidence\": \"ambiguous\"");
    }

    @Test
    void kill_mode_leaves_nothing_alive() throws Exception {
        EngineExecutionResults results = run(PlainLeakTestCase.class, "kill");
        results.testEvents().assertStatistics(s -> s.succeeded(1));
        assertThat(report("txt")).contains("action: killed");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(h -> h.info().commandLine().orElse(""))).noneMatch(c -> c.contains("sleep 311"));
        // the leaked sleep was the JDK's child: its reaper thread collects it, give it a moment
        Proc.eventually(java.time.Duration.ofSeconds(10), () -> Proc.zombieChildren().isEmpty());
        assertThat(Proc.zombieChildren()).as("killed processes are reaped").isEmpty();
    }

    @Test
    void warn_mode_changes_no_test_result() throws Exception {
        EngineExecutionResults results = run(PlainLeakTestCase.class, "warn");
        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        assertThat(report("txt")).contains("action: reported (warn mode)").contains("sleep 311");
    }

    @Test
    void an_opted_out_test_is_not_reported() throws Exception {
        run(AllowedTestCase.class, "fail").testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        assertThat(report("txt")).contains("0 leaked processes");
    }

    @Test
    void ignored_commands_are_not_reported() throws Exception {
        run(PlainLeakTestCase.class, "fail", LeakSettings.IGNORE_KEY, "python*, sleep 31?")
                .testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        assertThat(report("txt")).contains("0 leaked processes");
    }

    @Test
    void an_invalid_mode_is_an_error_not_silence() {
        assertThatThrownBy(() -> LeakSettings.read(k -> k.equals(LeakSettings.MODE_KEY)
                ? java.util.Optional.of("wran") : java.util.Optional.empty(), new java.util.ArrayList<>()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid managedprocesses.leaks.mode='wran': use off, warn, fail or kill");
    }

    @Test
    void the_launcher_listener_alone_reports_and_fails_the_session_for_any_engine() throws Exception {
        // No Jupiter extension here: only the listener, as for engines other than Jupiter.
        LeakDetectionListener listener = new LeakDetectionListener();
        LauncherConfig config = LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .addLauncherSessionListeners(listener)
                .addTestExecutionListeners(listener).build();
        var request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(ListenerOnlyTestCase.class))
                .configurationParameter(LeakSettings.MODE_KEY, "fail")
                .configurationParameter(LeakSettings.SETTLE_KEY, "300 ms")
                .configurationParameter(LeakSettings.REPORT_DIR_KEY, reports.toString())
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LauncherSession session = LauncherFactory.openSession(config);
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            session.getLauncher().execute(request, summary);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(summary.getSummary().getTestsSucceededCount()).as("a listener cannot fail a test").isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).matches(
                "managed-processes: 1 process leaked by 1 test; report: .*leaks-\\d+-[0-9a-f]{6}\\.txt\\R");
        assertThatThrownBy(session::close).isInstanceOf(LeakDetectionListener.LeaksDetectedError.class)
                .hasMessageStartingWith("The test run leaked 1 process (managed-processes leak detection, mode fail):")
                .hasMessageContaining("sleep 317");
        assertThat(report("txt")).contains("LeakDetectionTest$ListenerOnlyTestCase > leaks()  [exact]");
    }

    static class ListenerOnlyTestCase {
        @Test
        void leaks() throws IOException {
            new ProcessBuilder("sleep", "317").start();
        }
    }

    @Test
    void leaked_processes_still_holding_the_jvms_output_are_flagged() throws Exception {
        String out = OsProbe.stdoutTarget();
        org.junit.jupiter.api.Assumptions.assumeTrue(out.startsWith("pipe:"),
                () -> "this JVM's stdout is " + out + ", not a pipe (Surefire's forks use one)");
        run(InheritsOutputTestCase.class, "warn").testEvents().assertStatistics(s -> s.succeeded(1));
        assertThat(report("txt")).contains("sleep 318   <-- holds the test JVM's stdout/stderr: will hang the build");
    }

    @ExtendWith(LeakCheckExtension.class)
    static class InheritsOutputTestCase {
        @Test
        void leaks_with_inherited_output() throws IOException {
            new ProcessBuilder("sleep", "318").inheritIO().start();
        }
    }

    /** What this JVM's stdout is. */
    static final class OsProbe {
        static String stdoutTarget() throws IOException {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
        }
    }

}
