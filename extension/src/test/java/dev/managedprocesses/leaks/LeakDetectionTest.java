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
import dev.managedprocesses.internal.janitor.Janitor;
import dev.managedprocesses.junit.ManagedProcesses;
import dev.managedprocesses.testing.ChildJvm;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Leak detection on real leaks: fixture tests ({@code *TestCase}) leak processes through plain
 * ProcessBuilder; the detector must name them, fail, warn or kill as configured, and every process
 * the fixtures leak is ended afterwards. The key scenarios run both through EngineTestKit (where no
 * launcher listener is called: the extension's own detector) and through a real launcher session
 * with the listener registered from {@code META-INF/services} (see {@link LeakRun.Via}).
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

    /** Every fixture leaks "sleep 3[12]x": end what is left of them (children or orphans of this JVM). */
    private static void endLeftovers() {
        ProcessHandle.current().descendants().filter(h -> isFixtureProcess(h.info().commandLine().orElse("")))
                .forEach(ProcessHandle::destroyForcibly);
        assertThat(Proc.eventually(Duration.ofSeconds(10), () -> ProcessHandle.current().descendants()
                .noneMatch(h -> h.isAlive() && isFixtureProcess(h.info().commandLine().orElse(""))))).isTrue();
    }

    private static boolean isFixtureProcess(String commandLine) {
        return commandLine.matches(".*sleep 3[12]\\d.*");
    }

    private EngineExecutionResults run(Class<?> fixture, String mode, String... more) {
        var kit = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture))
                .configurationParameters(config(mode, more));
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)); // the summary line
        try {
            return kit.execute();
        } finally {
            System.setErr(originalErr);
        }
    }

    /** Runs the fixtures through EngineTestKit or a launcher session with the listener; stderr is captured. */
    private LeakRun.Outcome run(LeakRun.Via via, List<Class<?>> fixtures, String mode, String... more) {
        return LeakRun.run(via, fixtures, config(mode, more));
    }

    private java.util.Map<String, String> config(String mode, String... more) {
        java.util.Map<String, String> config = LeakRun.config(LeakSettings.MODE_KEY, mode,
                LeakSettings.SETTLE_KEY, "300 ms",
                LeakSettings.KILL_GRACE_KEY, "500 ms",
                LeakSettings.REPORT_DIR_KEY, reports.toString());
        config.putAll(LeakRun.config(more));
        return config;
    }

    /** The framed block on stderr at the end of a run, for one leaking test and one process. */
    private static String summaryBlock(String headline, String test, String command) {
        return "={100}\nmanaged-processes: " + headline + "; report: .*leaks-\\d+-[0-9a-f]{6}\\.txt\n"
                + "  " + java.util.regex.Pattern.quote(test) + "\n      pid \\d+  ppid \\d+  state [RS?]  age [0-9.]+ s  user \\S+  "
                + "(\\S*/)?" + command + "\n(  \\(mode warn: .*\\)\n)?={100}\n"; // portable: state ?, the full path
    }

    private String report(String suffix) throws IOException {
        return report(reports, suffix);
    }

    private static String report(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().matches("leaks-\\d+-[0-9a-f]{6}\\." + suffix))
                    .toList();
            assertThat(found).as("one %s report per JVM", suffix).hasSize(1);
            return Files.readString(found.get(0));
        }
    }

    /** The report's header: the janitor of this JVM (if one runs) is named as ignored. */
    private static String header(String mode) {
        String janitor = Janitor.pid().isPresent() ? "janitor pid " + Janitor.pid().getAsLong() + " \\(ignored\\)\n" : "";
        return "managed-processes leak report\nJVM pid " + ProcessHandle.current().pid() + ", mode " + mode
                + ", started \\S+\ncontainment: [^\n]+\n" + janitor;
    }

    // ---------------------------------------------------------------- fixtures

    @ExtendWith(LeakCheckExtension.class)
    static class PlainLeakTestCase {
        @Test
        void leaks_sleep() throws IOException {
            new ProcessBuilder("sleep", "311").start();
        }
    }

    /** Leaves a process running that ends by itself soon after: within the settle budget, so no leak. */
    @ExtendWith(LeakCheckExtension.class)
    static class ShortLivedTestCase {
        @Test
        void leaves_a_process_that_ends_soon() throws IOException {
            new ProcessBuilder("sleep", "0.3").start();
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
            NeverOverlapped.await(bothRunning); // both tests are running now
            if (leak) {
                new ProcessBuilder("sleep", "315").start();
            }
            NeverOverlapped.await(bothRunning); // and still running after the leak
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

    /** A class fixture that is never stopped: the class leaks it, not any of its tests. */
    @ExtendWith(LeakCheckExtension.class)
    static class LeakyClassFixtureTestCase {
        static Process server;

        @BeforeAll
        static void startServer() throws IOException {
            server = new ProcessBuilder("sleep", "322").start();
        }

        @Test
        void uses_the_server() {
            assertThat(server.isAlive()).isTrue();
        }
    }

    /** A class-wide scope: its process outlives the test that started it, and the scope ends it with the class. */
    @ExtendWith(LeakCheckExtension.class)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ClassScopeTestCase {
        static ProcessScope shared;
        static Process started;

        @BeforeAll
        static void open() {
            shared = ProcessScope.open();
        }

        @AfterAll
        static void close() {
            shared.close();
        }

        @Test
        @Order(1)
        void starts_a_server_in_the_class_scope() {
            shared.start("sleep", "323");
        }

        @Test
        @Order(2)
        void the_server_still_runs() {
            assertThat(shared.processes()).singleElement().matches(p -> p.isAlive());
        }
    }

    /** Leaks a tree: a shell and its child. */
    @ExtendWith(LeakCheckExtension.class)
    static class TreeTestCase {
        @Test
        void leaks_a_shell_and_its_sleep() throws Exception {
            Process sh = new ProcessBuilder("sh", "-c", "sleep 320 & wait").start();
            // both exist before the test ends: the tree is complete when the detector looks
            assertThat(Proc.eventually(Duration.ofSeconds(10), () -> sh.children().findAny().isPresent())).isTrue();
        }
    }

    /** Opted out as a whole: neither its tests nor its class fixture are reported. */
    @ExtendWith(LeakCheckExtension.class)
    @AllowProcessLeaks("the class starts daemons that outlive it on purpose")
    static class AllowedClassTestCase {
        @BeforeAll
        static void startDaemon() throws IOException {
            new ProcessBuilder("sleep", "324").start();
        }

        @Test
        void leaks() throws IOException {
            new ProcessBuilder("sleep", "325").start();
        }
    }

    /**
     * Thrown by a fixture whose partner, meant to run at the same time, never did. On a loaded two-core machine
     * JUnit's ForkJoinPool now and then runs two concurrent tests one after the other even with four workers
     * (seen twice in about forty builds); such a run shows nothing about leak detection (no process was
     * started yet) and {@link #runConcurrently} repeats it.
     */
    static final class NeverOverlapped extends RuntimeException {
        NeverOverlapped(String what, Throwable cause) {
            super("the concurrent fixtures never ran at the same time: " + what, cause);
        }

        static void await(java.util.concurrent.CyclicBarrier barrier) throws InterruptedException {
            try {
                barrier.await(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.BrokenBarrierException e) {
                throw new NeverOverlapped("the other invocation did not reach the barrier", e);
            }
        }

        static void await(CountDownLatch latch, String what) throws InterruptedException {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new NeverOverlapped("not within 10 s: " + what, null);
            }
        }
    }

    /**
     * Two classes running concurrently: class A's {@code @BeforeAll} starts a process (and never stops it)
     * while class B's test runs. Either could have started it.
     */
    static final class ConcurrentClasses {
        static CountDownLatch bRunning = new CountDownLatch(1);
        static CountDownLatch aStarted = new CountDownLatch(1);

        static void reset() {
            bRunning = new CountDownLatch(1);
            aStarted = new CountDownLatch(1);
        }
    }

    @ExtendWith(LeakCheckExtension.class)
    static class ConcurrentATestCase {
        @BeforeAll
        static void startServer() throws Exception {
            NeverOverlapped.await(ConcurrentClasses.bRunning, "B's test is running");
            new ProcessBuilder("sleep", "326").start();
            ConcurrentClasses.aStarted.countDown();
        }

        @Test
        void a_test() {
        }
    }

    @ExtendWith(LeakCheckExtension.class)
    static class ConcurrentBTestCase {
        @Test
        void b_test() throws Exception {
            ConcurrentClasses.bRunning.countDown();
            NeverOverlapped.await(ConcurrentClasses.aStarted, "A's fixture has started");
        }
    }

    // ---------------------------------------------------------------- tests

    @LinuxOnly("leak reports show each process's state, user and argv (/proc)")
    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void a_plain_process_builder_leak_is_named_in_the_report_and_fails_the_test(LeakRun.Via via) throws Exception {
        LeakRun.Outcome outcome = run(via, List.of(PlainLeakTestCase.class), "fail");

        assertThat(outcome.failures()).singleElement().satisfies(r -> {
            assertThat(r.displayName()).isEqualTo("leaks_sleep()");
            assertThat(r.failureMessage()).matches("Test LeakDetectionTest\\$PlainLeakTestCase > leaks_sleep\\(\\) leaked 1 "
                    + "process \\(managed-processes leak detection, mode fail\\):\n"
                    + "  pid \\d+  ppid " + ProcessHandle.current().pid() + "  state [RS]  age [0-9.]+ s  user root  sleep 311\n"
                    + "It was ended \\(SIGTERM, then SIGKILL after the grace period where needed\\); "
                    + "managedprocesses.leaks.fail.keep=true leaves leaked processes running.\n"
                    + "Report: .*/leaks-\\d+-[0-9a-f]{6}\\.txt\n"
                    + "End such processes in the test, start them through a ProcessScope \\(@ManagedProcesses\\), "
                    + "or opt out with @AllowProcessLeaks\\(\"why\"\\)");
        });
        assertThat(outcome.runFailure()).as("the test was failed for it: the run is not failed again").isEmpty();
        String text = report("txt");
        assertThat(text).containsPattern("^" + header("fail") + "1 leaked process in 1 finding.\n")
                .contains("1. LeakDetectionTest$PlainLeakTestCase > leaks_sleep()  [exact]")
                .contains("[method:leaks_sleep()]").containsPattern("pid \\d+  ppid \\d+  state [RS]  age [0-9.]+ s  user root  sleep 311")
                .contains("action: killed; test failed");
        assertThat(report("json")).contains("\"confidence\": \"exact\"").contains("\"commandLine\": \"sleep 311\"")
                .contains("\"displayName\": \"LeakDetectionTest$PlainLeakTestCase > leaks_sleep()\"");
        assertThat(outcome.stderr()).matches(summaryBlock("1 process leaked by 1 test \\(killed\\)",
                PlainLeakTestCase.class.getName() + "#leaks_sleep (LeakDetectionTest$PlainLeakTestCase > leaks_sleep())",
                "sleep 311"));
        assertThat(Proc.zombieChildren()).as("fail mode ended it, and nothing waits to be reaped").isEmpty();
    }

    @LinuxOnly("a double-forked orphan re-parents to the JVM, a child subreaper")
    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void a_double_forked_daemon_is_found_as_an_orphan(LeakRun.Via via) throws Exception {
        LeakRun.Outcome outcome = run(via, List.of(DaemonLeakTestCase.class), "warn");
        assertThat(outcome.testsSucceeded()).isEqualTo(1);
        assertThat(outcome.failures()).isEmpty();
        assertThat(report("txt")).contains("leaks_a_daemon()  [exact]")
                .containsPattern("ppid " + ProcessHandle.current().pid() + "  state [RS] .* sleep 312");
    }

    @Test
    void a_process_started_in_before_all_and_ended_in_after_all_is_no_leak_and_no_test_waits_for_it() {
        // The settle budget is ten minutes: a test that waited for the class's fixture to end would hang.
        EngineExecutionResults results = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> run(ClassFixtureTestCase.class, "fail", LeakSettings.SETTLE_KEY, "600 s"),
                "a test waited the settle budget for a process its class owns");
        results.testEvents().assertStatistics(s -> s.succeeded(5).failed(0));
        results.containerEvents().assertStatistics(s -> s.failed(0));
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void a_class_fixture_that_is_never_stopped_is_judged_when_its_class_ends_and_fails_the_class(LeakRun.Via via)
            throws Exception {
        LeakRun.Outcome outcome = run(via, List.of(LeakyClassFixtureTestCase.class), "fail");

        assertThat(outcome.testsSucceeded()).as("no test started it").isEqualTo(1);
        assertThat(outcome.failures()).singleElement().satisfies(r -> {
            assertThat(r.displayName()).isEqualTo("LeakDetectionTest$LeakyClassFixtureTestCase");
            assertThat(r.failureMessage()).matches("Class LeakDetectionTest\\$LeakyClassFixtureTestCase leaked 1 process "
                    + "\\(managed-processes leak detection, mode fail\\):\n  pid \\d+ .* sleep 322\n(?s).*");
        });
        assertThat(outcome.runFailure()).isEmpty();
        assertThat(report("txt")).contains("1. LeakDetectionTest$LeakyClassFixtureTestCase  [exact]\n   unique id: "
                + "[engine:junit-jupiter]/[class:dev.managedprocesses.leaks.LeakDetectionTest$LeakyClassFixtureTestCase]\n"
                + "   action: killed; test failed\n").contains("sleep 322");
    }

    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void clean_tests_report_nothing(LeakRun.Via via) throws Exception {
        LeakRun.Outcome outcome = run(via, List.of(CleanTestCase.class), "fail");
        assertThat(outcome.testsSucceeded()).isEqualTo(2);
        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.runFailure()).isEmpty();
        assertThat(outcome.stderr()).isEmpty();
        assertThat(report("txt")).containsPattern("^" + header("fail") + "0 leaked processes in 0 findings.\n$");
        assertThat(report("json")).contains("\"leakedProcesses\": 0");
    }

    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void a_process_that_ends_within_the_settle_budget_is_no_leak(LeakRun.Via via) throws Exception {
        // Woken by a pidfd, or (-Dmanagedprocesses.internal.pidfd=false, surefire execution pid-fallback) polled.
        LeakRun.Outcome outcome = run(via, List.of(ShortLivedTestCase.class), "fail", LeakSettings.SETTLE_KEY, "10 s");
        assertThat(outcome.testsSucceeded()).isEqualTo(1);
        assertThat(outcome.failures()).isEmpty();
        assertThat(report("txt")).contains("0 leaked processes in 0 findings.");
    }

    @Test
    void processes_a_scope_ends_are_not_leaks() throws Exception {
        run(ScopeOwnedTestCase.class, "fail").testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        assertThat(report("txt")).contains("0 leaked processes");
    }

    @Test
    void a_process_of_a_class_wide_scope_that_outlives_the_test_that_started_it_is_no_leak() throws Exception {
        LeakRun.Outcome outcome = run(LeakRun.Via.ENGINE_TEST_KIT, List.of(ClassScopeTestCase.class), "fail");
        assertThat(outcome.failures()).as("the scope, still open, will end it").isEmpty();
        assertThat(outcome.testsSucceeded()).as("and the second test saw it alive").isEqualTo(2);
        assertThat(report("txt")).contains("0 leaked processes in 0 findings.");
    }

    /** Runs {@link ParallelTestCase}, whose two invocations run at once: see {@link #runConcurrently}. */
    private LeakRun.Outcome runOverlapping(LeakRun.Via via, String mode) throws IOException {
        return runConcurrently(() -> ParallelTestCase.bothRunning = new java.util.concurrent.CyclicBarrier(2),
                () -> run(via, List.of(ParallelTestCase.class), mode,
                        "junit.jupiter.execution.parallel.enabled", "true",
                        "junit.jupiter.execution.parallel.mode.default", "concurrent",
                        // fixed, not one thread per core: with two cores, the class and the method template could
                        // hold both workers and leave the two invocations one thread (found under load)
                        "junit.jupiter.execution.parallel.config.strategy", "fixed",
                        "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"));
    }

    /**
     * Runs fixtures that must run at the same time; a run in which JUnit did not run them so
     * ({@link NeverOverlapped}) is repeated with fresh reports, at most three times in all.
     */
    private LeakRun.Outcome runConcurrently(Runnable reset, java.util.function.Supplier<LeakRun.Outcome> run)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            reset.run();
            LeakRun.Outcome outcome = run.get();
            boolean neverOverlapped = outcome.failures().stream()
                    .anyMatch(r -> r.result().getThrowable().filter(NeverOverlapped.class::isInstance).isPresent());
            if (!neverOverlapped || attempt == 3) {
                return outcome;
            }
            System.err.println("[LeakDetectionTest] attempt " + attempt + ": JUnit did not run the concurrent "
                    + "fixtures at the same time; running them again");
            try (Stream<Path> files = Files.list(reports)) { // the next run's reports are the ones to read
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void parallel_tests_are_both_named_and_the_finding_is_ambiguous(LeakRun.Via via) throws Exception {
        LeakRun.Outcome outcome = runOverlapping(via, "warn");
        assertThat(outcome.testsSucceeded()).isEqualTo(2);
        assertThat(outcome.failures()).isEmpty();
        String text = report("txt");
        assertThat(text).contains("[ambiguous: 2 candidates were running when it started]")
                .contains("candidate: LeakDetectionTest$ParallelTestCase > overlap(boolean) > [1] true")
                .contains("candidate: LeakDetectionTest$ParallelTestCase > overlap(boolean) > [2] false")
                .contains("action: reported (warn mode)").contains("sleep 315");
        assertThat(report("json")).contains("\"confidence\": \"ambiguous\"");
    }

    @LinuxOnly("leak reports show each process's state, user and argv (/proc)")
    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void in_fail_mode_an_ambiguous_finding_fails_no_test_but_fails_the_run_naming_every_candidate(LeakRun.Via via)
            throws Exception {
        LeakRun.Outcome outcome = runOverlapping(via, "fail");

        assertThat(outcome.testsSucceeded()).as("either could be the innocent one").isEqualTo(2);
        assertThat(outcome.testsFailed()).isZero();
        String candidate = "dev\\.managedprocesses\\.leaks\\.LeakDetectionTest\\$ParallelTestCase#overlap "
                + "\\(LeakDetectionTest\\$ParallelTestCase > overlap\\(boolean\\) > \\[[12]\\] (true|false)\\)";
        assertThat(outcome.runFailureMessage()).matches("The test run leaked 1 process \\(managed-processes leak detection, "
                + "mode fail\\):\n  \\[ambiguous: it started while these were running: " + candidate + ", " + candidate
                + "\\]\n  pid \\d+  ppid \\d+  state [RS]  age [0-9.]+ s  user root  sleep 315\n"
                + "It was ended .*\nReport: .*\\.txt\nEnd such processes in the test, .*")
                .contains("> [1] true)").contains("> [2] false)");
        assertThat(report("txt")).contains("[ambiguous: 2 candidates were running when it started]")
                .contains("   action: killed; " + LeakDetector.AMBIGUOUS_IN_FAIL_MODE);
    }

    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void a_class_fixture_started_while_another_classs_test_runs_names_both_as_candidates(LeakRun.Via via)
            throws Exception {
        LeakRun.Outcome outcome = runConcurrently(ConcurrentClasses::reset,
                () -> run(via, List.of(ConcurrentATestCase.class, ConcurrentBTestCase.class), "fail",
                        "junit.jupiter.execution.parallel.enabled", "true",
                        "junit.jupiter.execution.parallel.mode.default", "same_thread",
                        "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
                        "junit.jupiter.execution.parallel.config.strategy", "fixed",
                        "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"));

        assertThat(outcome.failures()).as("no test and no class is failed for an ambiguous finding")
                .allMatch(r -> r.uniqueId().indexOf('/') < 0);
        assertThat(outcome.testsSucceeded()).isEqualTo(2);
        String a = "LeakDetectionTest$ConcurrentATestCase";
        String b = "LeakDetectionTest$ConcurrentBTestCase > b_test()";
        assertThat(report("txt")).contains("1 leaked process in 1 finding.")
                .contains("[ambiguous: 2 candidates were running when it started]")
                .contains("   candidate: " + a + "  ([engine:junit-jupiter]/[class:dev.managedprocesses.leaks." + a + "])\n")
                .contains("   candidate: " + b + "  ([engine:junit-jupiter]/[class:dev.managedprocesses.leaks."
                        + "LeakDetectionTest$ConcurrentBTestCase]/[method:b_test()])\n")
                .doesNotContain("ConcurrentATestCase > a_test()").contains("sleep 326");
        assertThat(outcome.runFailureMessage()).startsWith("The test run leaked 1 process (managed-processes leak "
                + "detection, mode fail):\n  [ambiguous: it started while these were running: ")
                .contains("dev.managedprocesses.leaks." + a + " (" + a + ")")
                .contains("dev.managedprocesses.leaks.LeakDetectionTest$ConcurrentBTestCase#b_test (" + b + ")")
                .contains("sleep 326");
    }

    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void kill_mode_leaves_nothing_alive(LeakRun.Via via) throws Exception {
        LeakRun.Outcome outcome = run(via, List.of(PlainLeakTestCase.class), "kill");
        assertThat(outcome.testsSucceeded()).isEqualTo(1);
        assertThat(outcome.failures()).isEmpty();
        assertThat(report("txt")).contains("action: killed\n");
        assertThat(outcome.stderr()).matches(summaryBlock("1 process leaked by 1 test \\(killed\\)",
                PlainLeakTestCase.class.getName() + "#leaks_sleep (LeakDetectionTest$PlainLeakTestCase > leaks_sleep())",
                "sleep 311"));
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(h -> h.info().commandLine().orElse(""))).noneMatch(c -> c.contains("sleep 311"));
        // the leaked sleep was the JDK's child: its reaper thread collects it, give it a moment
        Proc.eventually(Duration.ofSeconds(10), () -> Proc.zombieChildren().isEmpty());
        assertThat(Proc.zombieChildren()).as("killed processes are reaped").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void warn_mode_changes_no_test_result(LeakRun.Via via) throws Exception {
        LeakRun.Outcome outcome = run(via, List.of(PlainLeakTestCase.class, LeakyClassFixtureTestCase.class), "warn");
        assertThat(outcome.testsSucceeded()).isEqualTo(2);
        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.runFailure()).isEmpty();
        assertThat(report("txt")).contains("2 leaked processes in 2 findings.")
                .contains("action: reported (warn mode)").contains("sleep 311").contains("sleep 322");
    }

    @LinuxOnly("leak reports show each process's state, user and argv (/proc)")
    @Test
    void a_leaked_tree_is_drawn_indented_under_its_root() throws Exception {
        run(TreeTestCase.class, "warn").testEvents().assertStatistics(s -> s.succeeded(1));
        String text = report("txt");
        assertThat(text).containsPattern("\n   pid (\\d+)  ppid " + ProcessHandle.current().pid()
                + "  state [RS]  age [0-9.]+ s  user root  sh -c sleep 320 & wait\n"
                + "     pid \\d+  ppid \\1  state [RS]  age [0-9.]+ s  user root  sleep 320\n");
        assertThat(report("json")).containsPattern("\"depth\": 0, .*\"commandLine\": \"sh -c sleep 320 & wait\"")
                .containsPattern("\"depth\": 1, .*\"commandLine\": \"sleep 320\"");
    }

    @Test
    void an_opted_out_test_is_not_reported() throws Exception {
        run(AllowedTestCase.class, "fail").testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        assertThat(report("txt")).contains("0 leaked processes");
    }

    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void an_opted_out_class_is_not_reported_for_its_tests_or_its_fixtures(LeakRun.Via via) throws Exception {
        LeakRun.Outcome outcome = run(via, List.of(AllowedClassTestCase.class), "fail");
        assertThat(outcome.testsSucceeded()).isEqualTo(1);
        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.runFailure()).isEmpty();
        assertThat(report("txt")).contains("0 leaked processes in 0 findings.");
    }

    @Test
    void the_mode_can_be_set_by_a_system_property() throws Exception {
        // A launcher falls back to system properties for configuration parameters that are not set otherwise
        // (EngineTestKit does not, unless asked to): as in a build run with -Dmanagedprocesses.leaks.mode=warn.
        System.setProperty(LeakSettings.MODE_KEY, "warn");
        System.setProperty(LeakSettings.SETTLE_KEY, "300 ms");
        System.setProperty(LeakSettings.REPORT_DIR_KEY, reports.toString());
        LeakRun.Outcome outcome;
        try {
            outcome = LeakRun.run(LeakRun.Via.LAUNCHER_WITH_LISTENER, List.of(PlainLeakTestCase.class), java.util.Map.of());
        } finally {
            System.clearProperty(LeakSettings.MODE_KEY);
            System.clearProperty(LeakSettings.SETTLE_KEY);
            System.clearProperty(LeakSettings.REPORT_DIR_KEY);
        }
        assertThat(outcome.testsSucceeded()).isEqualTo(1);
        assertThat(report("txt")).containsPattern("^" + header("warn") + "1 leaked process in 1 finding.\n")
                .contains("action: reported (warn mode)").contains("sleep 311");
    }

    @Test
    void the_janitor_started_inside_a_fail_mode_test_of_a_fresh_jvm_is_never_a_leak() throws Exception {
        // A fresh JVM: there, the first managed process, and with it the janitor, starts inside a test.
        Path dir = Files.createDirectory(reports.resolve("child"));
        try (ChildJvm child = ChildJvm.start("leak-check", "-D" + LeakSettings.REPORT_DIR_KEY + "=" + dir)) {
            assertThat(child.awaitExit(Duration.ofSeconds(120))).as("exit code").isZero();
            List<String> lines = child.lines().stream().filter(l -> !l.startsWith("managed-processes: containment: "))
                    .toList();
            assertThat(lines).as("the janitor started inside the test").startsWith("janitor-before none");
            long janitor = child.numbers("janitor").get(0);
            assertThat(lines).containsExactly("janitor-before none", "janitor " + janitor, "tests 1 0", "session ok");
            assertThat(report(dir, "txt")).matches("managed-processes leak report\nJVM pid " + child.pid()
                    + ", mode fail, started \\S+\ncontainment: [^\n]+\njanitor pid " + janitor + " \\(ignored\\)\n"
                    + "0 leaked processes in 0 findings.\n");
            assertThat(report(dir, "json")).contains("\"ignoredJanitorPids\": [" + janitor + "]");
        }
    }

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
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
    void without_the_extension_the_leak_check_engine_fails_a_test_of_its_own_named_after_the_leaking_test()
            throws Exception {
        // No Jupiter extension here: only the listeners and the leak check engine, as for engines other than Jupiter.
        LeakDetectionListener listener = new LeakDetectionListener();
        LauncherConfig config = LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .enableTestEngineAutoRegistration(false).addTestEngines(LeakRun.engines(true))
                .addLauncherSessionListeners(new LeakSessionListener())
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
        session.close(); // nothing is left to fail the session for
        assertThat(summary.getSummary().getTestsSucceededCount()).as("a listener cannot fail a test").isEqualTo(1);
        assertThat(summary.getSummary().getTestsFailedCount()).as("the leak check's test").isEqualTo(1);
        String leaky = ListenerOnlyTestCase.class.getName() + "#leaks";
        assertThat(summary.getSummary().getFailures()).singleElement().satisfies(f -> {
            assertThat(f.getTestIdentifier().getDisplayName()).isEqualTo(leaky);
            assertThat(f.getTestIdentifier().getUniqueId()).startsWith("[engine:" + LeakCheckEngine.ID + "]");
            assertThat(f.getException()).isInstanceOf(LeakDetectionListener.LeaksDetectedError.class)
                    .hasMessageStartingWith("Test " + leaky + " (LeakDetectionTest$ListenerOnlyTestCase > leaks()) leaked 1 "
                            + "process (managed-processes leak detection, mode fail):\n")
                    .hasMessageContaining("sleep 317\nIt was ended (SIGTERM");
        });
        assertThat(err.toString(StandardCharsets.UTF_8)).matches(summaryBlock("1 process leaked by 1 test \\(killed\\)",
                leaky + " (LeakDetectionTest$ListenerOnlyTestCase > leaks())", "sleep 317"));
        assertThat(report("txt")).contains("LeakDetectionTest$ListenerOnlyTestCase > leaks()  [exact]")
                .contains("action: killed; failed by the leak check");
        assertThat(ProcessHandle.current().descendants().map(h -> h.info().commandLine().orElse("")))
                .as("fail mode ended it").noneMatch(c -> c.contains("sleep 317"));
    }

    @Test
    void when_the_leak_check_engine_runs_before_the_leaking_engine_the_session_fails_naming_the_test_and_why()
            throws Exception {
        LauncherConfig config = LauncherConfig.builder().enablePostDiscoveryFilterAutoRegistration(false)
                .enableTestEngineAutoRegistration(false).addTestEngines(LeakRun.engines(false)).build();
        var request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(ListenerOnlyTestCase.class))
                .configurationParameters(config("fail"))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false").build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        LauncherSession session = LauncherFactory.openSession(config);
        try {
            session.getLauncher().execute(request, summary);
            assertThat(summary.getSummary().getTestsFailedCount()).as("the leak check ran first: nothing to report yet")
                    .isZero();
            String leaky = ListenerOnlyTestCase.class.getName() + "#leaks";
            assertThatThrownBy(session::close).isInstanceOf(LeakDetectionListener.LeaksDetectedError.class)
                    .hasMessageStartingWith("Test " + leaky + " (LeakDetectionTest$ListenerOnlyTestCase > leaks()) leaked 1 "
                            + "process (managed-processes leak detection, mode fail):")
                    .hasMessageContaining("sleep 317")
                    .hasMessageEndingWith("(The leak check engine, which would have reported this as a failed test, ran "
                            + "before the engine of these tests: declare managed-processes after junit-vintage-engine and "
                            + "your other JUnit engines among the test dependencies; the JUnit Platform runs engines in "
                            + "class-path order.)");
        } finally {
            System.setErr(originalErr);
        }
    }

    @Test
    void fail_mode_leaves_the_leak_running_when_asked_to_keep_it() throws Exception {
        LeakRun.Outcome outcome = run(LeakRun.Via.ENGINE_TEST_KIT, List.of(PlainLeakTestCase.class), "fail",
                LeakSettings.FAIL_KEEP_KEY, "true");
        assertThat(outcome.failures()).singleElement().satisfies(r -> assertThat(r.failureMessage())
                .contains("sleep 311\nIt was left running (managedprocesses.leaks.fail.keep=true).\nReport: "));
        assertThat(report("txt")).contains("action: " + LeakDetector.KEPT + "; test failed");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(h -> h.info().commandLine().orElse(""))).as("kept").anyMatch(c -> c.contains("sleep 311"));
    }

    @ParameterizedTest
    @EnumSource(LeakRun.Via.class)
    void warn_mode_names_the_test_in_its_own_output_and_in_a_framed_summary(LeakRun.Via via) throws Exception {
        LeakRun.Outcome outcome = run(via, List.of(PlainLeakTestCase.class), "warn");
        assertThat(outcome.failures()).isEmpty();
        String test = PlainLeakTestCase.class.getName() + "#leaks_sleep (LeakDetectionTest$PlainLeakTestCase > leaks_sleep())";
        assertThat(outcome.stderr()).startsWith("managed-processes: " + test + " leaked 1 process (mode warn):\n  pid ")
                .contains("mode warn: no test fails for this; managedprocesses.leaks.mode=fail fails the tests that leak")
                .containsPattern("\n={100}\nmanaged-processes: 1 process leaked by 1 test; report: .*\\.txt\n  "
                        + java.util.regex.Pattern.quote(test) + "\n      pid \\d+ .*sleep 311\n");
    }

    static class ListenerOnlyTestCase {
        @Test
        void leaks() throws IOException {
            new ProcessBuilder("sleep", "317").start();
        }
    }

    @LinuxOnly("a leak report says when a leaked process holds the JVM's output pipe (/proc/<pid>/fd)")
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
