package dev.managedprocesses.junit;

import static dev.managedprocesses.junit.Fixtures.TIMEOUT;
import static dev.managedprocesses.junit.Fixtures.track;
import static dev.managedprocesses.junit.Fixtures.trackMarked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.Signal;
import dev.managedprocesses.SurvivorsException;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventType;

/**
 * The extension through the JUnit engine: fixture classes ({@code *TestCase}) run with EngineTestKit,
 * then /proc is checked: nothing a fixture started survives, and a stranger started before is untouched.
 */
class ManagedProcessesExtensionTest {
    /** How a record ends: the mechanism that held the process. */
    private static final String CONTAINED = " \\((cgroup v2|process groups, marker and lineage|process handles)\\)";
    private static Stranger stranger;

    @BeforeAll
    static void startStranger() {
        stranger = Stranger.start();
    }

    @AfterAll
    static void strangerSurvivedEverything() {
        try (Stranger s = stranger) {
            assertThat(s.untouched()).as("a sleep started outside every scope survives every test").isTrue();
        }
    }

    @BeforeEach
    void reset() {
        Fixtures.reset();
    }

    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path reports;

    private static EngineExecutionResults run(Class<?> fixture, String... parameters) {
        var kit = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture))
                .outputDirectoryCreator(new org.junit.platform.engine.OutputDirectoryCreator() {
                    @Override
                    public java.nio.file.Path getRootDirectory() {
                        return reports;
                    }

                    @Override
                    public java.nio.file.Path createOutputDirectory(org.junit.platform.engine.TestDescriptor d)
                            throws java.io.IOException {
                        return Files.createDirectories(reports.resolve(d.getUniqueId().toString()
                                .replaceAll("[^A-Za-z0-9._-]+", "_")));
                    }
                });
        for (int i = 0; i + 1 < parameters.length; i += 2) {
            kit = kit.configurationParameter(parameters[i], parameters[i + 1]);
        }
        EngineExecutionResults results = kit.execute();
        assertNothingSurvived();
        assertThat(stranger.untouched()).as("stranger after %s", fixture.getSimpleName()).isTrue();
        return results;
    }

    /** Exactly {@code n} fixture tests succeeded and none failed; a failure is shown with its cause. */
    static void assertSucceeded(EngineExecutionResults results, int n) {
        List<Throwable> failures = Stream.concat(results.testEvents().failed().stream(),
                        results.containerEvents().failed().stream())
                .map(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow())
                .flatMap(r -> r.getThrowable().stream()).toList();
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("expected " + n + " fixture tests to succeed, but "
                    + failures.size() + " failed: " + failures);
            failures.forEach(error::addSuppressed);
            throw error;
        }
        results.testEvents().assertStatistics(s -> s.succeeded(n).failed(0));
    }

    private static void assertNothingSurvived() {
        assertThat(Fixtures.PIDS).as("pids recorded by the fixture").allSatisfy(pid ->
                assertThat(Proc.alive(pid)).as("pid %d is still alive", pid).isFalse());
        for (String id : Fixtures.SCOPE_IDS) {
            assertThat(Proc.withEnvironment(ProcessScope.SCOPE_VARIABLE + "=" + id)).as("processes of scope %s", id)
                    .isEmpty();
        }
        // the JDK reaps its own children (an adopted ProcessBuilder process) from its own thread: give it a moment
        Proc.eventually(java.time.Duration.ofSeconds(10), () -> Proc.zombieChildren().isEmpty());
        assertThat(Proc.zombieChildren()).as("zombie children of the JVM").isEmpty();
    }

    private static List<String> records(EngineExecutionResults results) {
        List<String> out = new ArrayList<>();
        results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
                .forEach(m -> m.forEach((k, v) -> {
                    if (k.equals("managed-process")) {
                        out.add(v);
                    }
                }));
        return out;
    }

    // ---------------------------------------------------------------- what teardown ends

    @Test
    void a_plain_child_is_ended_after_the_test() {
        EngineExecutionResults results = run(PlainChildTestCase.class);
        assertSucceeded(results, 1);
        assertThat(records(results)).singleElement().asString()
                .matches("pid \\d+ \\(sleep 300\\): killed by SIGTERM, ended by SIGTERM from teardown in \\d+ ms" + CONTAINED);
    }

    @ManagedProcesses
    static class PlainChildTestCase {
        @Test
        void leaves_a_child(ProcessScope processes) {
            track(processes, processes.start("sleep", "300"));
        }
    }

    @Test
    void a_child_that_ignores_sigterm_is_killed_after_the_grace_period_and_the_record_warns() {
        EngineExecutionResults results = run(IgnoresTermTestCase.class);
        assertSucceeded(results, 1);
        String record = records(results).get(0);
        assertThat(records(results)).singleElement().asString().contains("killed by SIGKILL")
                .contains("needed SIGKILL after the grace period (WARNING: it ignored SIGTERM)");
        java.util.regex.Matcher took = Pattern.compile(" in (\\d+) ms \\(").matcher(record);
        assertThat(took.find()).as("teardown time in %s", record).isTrue();
        assertThat(Long.parseLong(took.group(1))).as("waited the 200 ms grace before SIGKILL").isGreaterThanOrEqualTo(200);
    }

    @Test
    void by_default_the_test_output_shows_the_records_of_processes_that_needed_sigkill_only() {
        String stubborn = stdoutOf(() -> assertSucceeded(run(IgnoresTermTestCase.class), 1));
        assertThat(stubborn).matches("\\[managed-processes] ManagedProcessesExtensionTest\\$IgnoresTermTestCase > "
                + "leaves_a_stubborn_child\\(ProcessScope\\): pid \\d+ \\(sh -c trap '' TERM; echo ready; exec sleep 300\\): "
                + "killed by SIGKILL, needed SIGKILL after the grace period \\(WARNING: it ignored SIGTERM\\) in \\d+ ms" + CONTAINED + "\\R");
        assertThat(stdoutOf(() -> assertSucceeded(run(PlainChildTestCase.class), 1))).as("an obedient process").isEmpty();
    }

    @Test
    void every_record_or_none_is_printed_when_asked() {
        assertThat(stdoutOf(() -> assertSucceeded(run(PlainChildTestCase.class, ManagedProcessesExtension.RECORDS_KEY,
                "all"), 1))).matches("\\[managed-processes] ManagedProcessesExtensionTest\\$PlainChildTestCase > "
                        + "leaves_a_child\\(ProcessScope\\): pid \\d+ \\(sleep 300\\): killed by SIGTERM, ended by SIGTERM "
                        + "from teardown in \\d+ ms" + CONTAINED + "\\R");
        assertThat(stdoutOf(() -> assertSucceeded(run(IgnoresTermTestCase.class, ManagedProcessesExtension.RECORDS_KEY,
                "none"), 1))).isEmpty();
    }

    /** What {@code action} printed on System.out. */
    private static String stdoutOf(Runnable action) {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @ManagedProcesses(gracePeriod = "200 ms")
    static class IgnoresTermTestCase {
        @Test
        void leaves_a_stubborn_child(ProcessScope processes) {
            ManagedProcess p = track(processes, processes.start("sh", "-c", "trap '' TERM; echo ready; exec sleep 300"));
            p.stdout().awaitLineContaining("ready", TIMEOUT);
        }
    }

    @LinuxOnly("escapees (setsid) found by the scope's cookie in their environment")
    @Test
    void a_setsid_escapee_is_ended() {
        EngineExecutionResults results = run(SetsidTestCase.class);
        assertSucceeded(results, 1);
        assertThat(records(results)).anySatisfy(r -> assertThat(r).contains("[escaped]").contains("sleep 300"));
    }

    @ManagedProcesses
    static class SetsidTestCase {
        @Test
        void leaves_a_new_session(ProcessScope processes) throws Exception {
            ManagedProcess sh = processes.start("sh", "-c", "setsid sleep 300 &");
            sh.waitFor(TIMEOUT);
            long escapee = trackMarked(processes, 1).get(0);
            // until it has run setsid, the background child is still in the group; until it has exec'd sleep,
            // its command line is not yet "sleep 300" (and the record would name it by its short name)
            if (!Proc.eventually(TIMEOUT, () -> Proc.pgid(escapee) != sh.pid()
                    && Proc.cmdline(escapee).equals("sleep 300"))) {
                throw new AssertionError("the sleep should have left the group and exec'd: pgid "
                        + Proc.pgid(escapee) + ", command line '" + Proc.cmdline(escapee) + "'");
            }
        }
    }

    @LinuxOnly("a double-forked orphan re-parents to the JVM, a child subreaper")
    @Test
    void a_double_forked_daemon_is_ended() {
        assertSucceeded(run(DoubleForkTestCase.class), 1);
    }

    @ManagedProcesses
    static class DoubleForkTestCase {
        @Test
        void leaves_an_orphan(ProcessScope processes) throws Exception {
            processes.start("sh", "-c", "(sleep 300 &) ; exit 0").waitFor(TIMEOUT);
            trackMarked(processes, 1);
        }
    }

    @Test
    void a_child_that_forked_fifty_grandchildren_is_ended_with_all_of_them() {
        assertSucceeded(run(FiftyGrandchildrenTestCase.class), 1);
        assertThat(Fixtures.PIDS).hasSize(51);
    }

    @ManagedProcesses
    static class FiftyGrandchildrenTestCase {
        @Test
        void forks(ProcessScope processes) {
            ManagedProcess sh = processes.start("sh", "-c", "for i in $(seq 50); do sleep 300 & done; echo forked; wait");
            sh.stdout().awaitLineContaining("forked", TIMEOUT);
            trackMarked(processes, 51);
        }
    }

    @LinuxOnly("SIGSTOP and SIGCONT")
    @Test
    void a_stopped_child_is_ended() {
        EngineExecutionResults results = run(StoppedTestCase.class);
        assertSucceeded(results, 1);
        // SIGTERM itself ended it (no SIGKILL after the grace period): SIGCONT followed, so it could act on it
        assertThat(records(results)).singleElement().asString()
                .matches("pid \\d+ \\(sleep 300\\): killed by SIGTERM, ended by SIGTERM from teardown in \\d+ ms" + CONTAINED);
    }

    @ManagedProcesses
    static class StoppedTestCase {
        @Test
        void stops_it(ProcessScope processes) {
            ManagedProcess p = track(processes, processes.start("sleep", "300"));
            p.suspend();
            if (!Proc.eventually(TIMEOUT, () -> Proc.suspended(p.pid()))) {
                throw new AssertionError("not stopped");
            }
        }
    }

    @Test
    void an_adopted_process_builder_process_is_ended_and_keeps_its_jdk_status() throws Exception {
        assertSucceeded(run(AdoptedTestCase.class), 1);
        Process jdk = AdoptedTestCase.process;
        assertThat(jdk.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(jdk.exitValue()).isEqualTo(128 + Signal.TERM.number());
    }

    @ManagedProcesses
    static class AdoptedTestCase {
        static Process process;

        @Test
        void adopts(ProcessScope processes) throws Exception {
            process = new ProcessBuilder("sleep", "300").start();
            Fixtures.PIDS.add(process.pid());
            processes.adopt(process);
        }
    }

    @Test
    void a_class_scoped_server_is_shared_by_three_tests_and_ended_after_the_last() {
        EngineExecutionResults results = run(ClassScopedServerTestCase.class);
        assertSucceeded(results, 3);
        assertThat(Fixtures.NOTES).containsExactly("alive in 1", "alive in 2", "alive in 3");
        // the record is published on the class, once
        assertThat(records(results)).singleElement().asString().contains("http.server");
    }

    @ManagedProcesses
    @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
    static class ClassScopedServerTestCase {
        static ManagedProcess server;
        static int port;

        @BeforeAll
        static void startServer(ProcessScope classScope) {
            server = track(classScope, classScope.start("python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"));
            port = Integer.parseInt(server.stdout().awaitLine(Pattern.compile("port (\\d+)"), TIMEOUT).group(1));
        }

        @org.junit.jupiter.api.Order(1)
        @Test
        void first(ProcessScope methodScope) {
            check(1, methodScope);
        }

        @org.junit.jupiter.api.Order(2)
        @Test
        void second() {
            check(2, null);
        }

        @org.junit.jupiter.api.Order(3)
        @Test
        void third() throws Exception {
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                if (socket.isConnected()) {
                    check(3, null); // the shared server still answers in the last test
                }
            }
        }

        private static void check(int n, ProcessScope methodScope) {
            if (methodScope != null && methodScope.processes().contains(server)) {
                throw new AssertionError("the method scope must be a different scope");
            }
            if (server.isAlive()) {
                Fixtures.NOTES.add("alive in " + n);
            }
        }
    }

    @Test
    void a_failing_test_gets_the_captured_output_attached() throws Exception {
        EngineExecutionResults results = run(FailingWithOutputTestCase.class);
        results.testEvents().assertStatistics(s -> s.failed(1));
        var files = results.allEvents().stream().filter(e -> e.getType() == EventType.FILE_ENTRY_PUBLISHED)
                .map(e -> e.getPayload(org.junit.platform.engine.reporting.FileEntry.class).orElseThrow()).toList();
        assertThat(files).hasSize(2);
        for (var f : files) {
            String text = Files.readString(f.getPath());
            if (f.getPath().getFileName().toString().endsWith("stdout.txt")) {
                assertThat(text).isEqualTo("diagnostic output\nmore output\n");
            } else {
                assertThat(text).isEqualTo("a warning\n");
            }
            Files.deleteIfExists(f.getPath());
        }
    }

    @ManagedProcesses
    static class FailingWithOutputTestCase {
        @Test
        void fails(ProcessScope processes) {
            ManagedProcess p = track(processes, processes.start("sh", "-c",
                    "echo 'diagnostic output'; echo 'a warning' >&2; echo 'more output'; exec sleep 300"));
            p.stdout().awaitLineContaining("more", TIMEOUT);
            p.stderr().awaitLineContaining("warning", TIMEOUT);
            throw new AssertionError("the server answered 500");
        }
    }

    // ---------------------------------------------------------------- where scopes live

    @Test
    void nested_classes_factories_and_parameterized_tests_each_get_their_scope() {
        EngineExecutionResults results = run(ShapesTestCase.class);
        assertSucceeded(results, 6);
        assertThat(Fixtures.PIDS).hasSize(6);
    }

    @ManagedProcesses
    static class ShapesTestCase {
        @ParameterizedTest
        @ValueSource(ints = {1, 2})
        void parameterized(int n, ProcessScope processes) {
            track(processes, processes.start("sleep", "30" + n));
        }

        @TestFactory
        Stream<DynamicTest> factory(ProcessScope processes) {
            return Stream.of("a", "b").map(name -> DynamicTest.dynamicTest(name, () -> {
                ManagedProcess p = track(processes, processes.start("sleep", "300"));
                if (!p.isAlive()) {
                    throw new AssertionError("the factory's scope is open while its dynamic tests run");
                }
            }));
        }

        @Nested
        class Inner {
            @Test
            void nested(ProcessScope processes) {
                track(processes, processes.start("sleep", "300"));
            }
        }

        @Test
        void plain(ProcessScope processes) {
            track(processes, processes.start("sleep", "300"));
        }
    }

    @Test
    void fields_are_injected_static_for_the_class_and_instance_per_test() {
        EngineExecutionResults results = run(FieldsTestCase.class);
        assertSucceeded(results, 2);
        assertThat(Fixtures.NOTES).containsExactlyInAnyOrder("class scope shared", "class scope shared",
                "method scope fresh", "method scope fresh");
    }

    @ManagedProcesses
    static class FieldsTestCase {
        @ManagedProcesses.Scope
        static ProcessScope classScope;
        static ProcessScope firstClassScope;
        @ManagedProcesses.Scope
        ProcessScope scope;
        static ProcessScope previousMethodScope;

        @Test
        void one() {
            check();
        }

        @Test
        void two() {
            check();
        }

        private void check() {
            if (firstClassScope == null) {
                firstClassScope = classScope;
            }
            if (classScope == firstClassScope && !classScope.isClosed()) {
                Fixtures.NOTES.add("class scope shared");
            }
            if (scope != previousMethodScope && !scope.isClosed() && scope != classScope) {
                Fixtures.NOTES.add("method scope fresh");
            }
            previousMethodScope = scope;
            track(scope, scope.start("sleep", "300"));
            track(classScope, classScope.start("sleep", "300"));
        }
    }

    @LinuxOnly("escapees (setsid) found by the scope's cookie in their environment")
    @Test
    void parallel_tests_never_touch_each_others_processes() {
        ParallelTestCase.running.set(0);
        ParallelTestCase.peak.set(0);
        ParallelTestCase.twoRunning = new java.util.concurrent.CountDownLatch(2);
        EngineExecutionResults results = run(ParallelTestCase.class,
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
        assertSucceeded(results, 8);
        assertThat(Fixtures.NOTES).hasSize(8).allMatch(n -> n.equals("all mine alive"));
        assertThat(ParallelTestCase.peak.get()).as("tests that ran at the same time").isGreaterThanOrEqualTo(2);
    }

    @ManagedProcesses(gracePeriod = "100 ms")
    static class ParallelTestCase {
        static final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        static final java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
        static volatile java.util.concurrent.CountDownLatch twoRunning;

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
        void overlap(int n, ProcessScope processes) throws Exception {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                twoRunning.countDown();
                twoRunning.await(20, TimeUnit.SECONDS); // the first two wait for each other: run serially, peak stays 1
                overlapping(processes);
            } finally {
                running.decrementAndGet();
            }
        }

        private static void overlapping(ProcessScope processes) throws Exception {
            List<ManagedProcess> mine = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                mine.add(track(processes, processes.start("sh", "-c", "sleep 300 & sleep 300 & wait")));
            }
            processes.start("sh", "-c", "setsid sleep 300 &").waitFor(TIMEOUT);
            trackMarked(processes, 7);
            Thread.sleep(300); // overlap with the other tests' teardowns
            if (mine.stream().allMatch(ManagedProcess::isAlive)) {
                Fixtures.NOTES.add("all mine alive");
            }
        }
    }

    // ---------------------------------------------------------------- bad configuration

    @Test
    void a_constructor_parameter_is_a_clear_error() {
        run(ConstructorTestCase.class).testEvents().assertThatEvents().haveExactly(1, event(test(),
                finishedWithFailure(instanceOf(ParameterResolutionException.class),
                        message(m -> m.startsWith("ProcessScope cannot be injected into constructor [")
                                && m.endsWith("Declare it as a parameter of a @BeforeAll method (one scope for the "
                                + "class), or of a @BeforeEach or test method (one scope per test)")))));
    }

    @ManagedProcesses
    static class ConstructorTestCase {
        ConstructorTestCase(ProcessScope scope) {
        }

        @Test
        void never_runs() {
        }
    }

    @Test
    void a_final_field_is_a_clear_error() throws Exception {
        assertClassFailed(run(FinalFieldTestCase.class), ExtensionConfigurationException.class,
                "@ManagedProcesses.Scope field [" + FinalFieldTestCase.class.getDeclaredField("scope") + "] must not be "
                        + "declared as final: the extension injects it (a static field gets one scope for the class, "
                        + "an instance field one per test)");
    }

    @Test
    void a_field_of_another_type_is_a_clear_error() throws Exception {
        run(WrongTypeFieldTestCase.class).testEvents().assertThatEvents().haveExactly(1, event(test(),
                finishedWithFailure(instanceOf(ExtensionConfigurationException.class), message(
                        "@ManagedProcesses.Scope field [" + WrongTypeFieldTestCase.class.getDeclaredField("scope")
                                + "] must be of type dev.managedprocesses.ProcessScope but was java.lang.String: "
                                + "declare it as a ProcessScope (static for one scope for the class, an instance "
                                + "field for one per test)"))));
    }

    @ManagedProcesses
    static class WrongTypeFieldTestCase {
        @ManagedProcesses.Scope
        String scope;

        @Test
        void never_runs() {
        }
    }

    @ManagedProcesses
    static class FinalFieldTestCase {
        @ManagedProcesses.Scope
        static final ProcessScope scope = null;

        @Test
        void never_runs() {
        }
    }

    @Test
    void an_invalid_grace_period_attribute_fails_the_class_even_if_it_never_asks_for_a_scope() {
        assertClassFailed(run(InvalidGraceTestCase.class), ExtensionConfigurationException.class,
                invalidGrace(InvalidGraceTestCase.class));
    }

    @Test
    void an_invalid_grace_period_attribute_with_scope_fields_is_reported_once_and_unwrapped() {
        assertClassFailed(run(InvalidGraceFieldsTestCase.class), ExtensionConfigurationException.class,
                invalidGrace(InvalidGraceFieldsTestCase.class));
    }

    private static String invalidGrace(Class<?> fixture) {
        return "@ManagedProcesses(gracePeriod = \"soon\") on " + fixture.getName() + ": 'soon' is not a grace period: "
                + "use a non-negative number with a unit, such as \"2 s\", \"500 ms\" or \"1 min\" (or ISO-8601 such "
                + "as \"PT2S\")";
    }

    /** The fixture class failed with exactly this exception and message, and none of its tests ran. */
    private static void assertClassFailed(EngineExecutionResults results, Class<? extends Throwable> type, String message) {
        results.containerEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(instanceOf(type),
                message(message))));
        results.testEvents().assertStatistics(s -> s.started(0));
    }

    @ManagedProcesses(gracePeriod = "soon")
    static class InvalidGraceTestCase {
        @Test
        void never_runs() {
        }
    }

    @ManagedProcesses(gracePeriod = "soon")
    static class InvalidGraceFieldsTestCase {
        @ManagedProcesses.Scope
        static ProcessScope classScope;
        @ManagedProcesses.Scope
        ProcessScope scope;

        @Test
        void never_runs() {
        }
    }

    /** Runs {@code action} and returns what the extension logged meanwhile (System.Logger, here java.util.logging), unprinted. */
    private static List<String> logged(Runnable action) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(ManagedProcessesExtension.class.getName());
        List<String> out = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                out.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean useParent = logger.getUseParentHandlers();
        logger.addHandler(handler);
        logger.setUseParentHandlers(false); // keep the build quiet
        try {
            action.run();
        } finally {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(useParent);
        }
        return out;
    }

    @Test
    void a_valid_grace_configuration_parameter_sets_the_default() {
        assertThat(logged(() -> assertSucceeded(run(ConfiguredTestCase.class, ManagedProcessesExtension.GRACE_KEY,
                "750 ms"), 3))).isEmpty();
        assertThat(Fixtures.NOTES).containsExactly("PT0.75S", "PT0.75S", "PT0.75S");
    }

    @Test
    void an_invalid_grace_configuration_parameter_is_logged_once_per_run_and_falls_back() {
        List<String> log = logged(() -> assertSucceeded(run(ConfiguredTestCase.class,
                ManagedProcessesExtension.GRACE_KEY, "a while"), 3));
        assertThat(Fixtures.NOTES).containsExactly("PT2S", "PT2S", "PT2S");
        // three scopes, one warning: the parameters are read once per run and cached
        assertThat(log).containsExactly("WARNING managed-processes: ignoring configuration parameter "
                + "managedprocesses.teardown.grace.default: 'a while' is not a grace period: use a non-negative number "
                + "with a unit, such as \"2 s\", \"500 ms\" or \"1 min\" (or ISO-8601 such as \"PT2S\"); using 2000 ms");
    }

    @ManagedProcesses
    @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
    static class ConfiguredTestCase {
        @Test
        void a(ProcessScope scope) {
            Fixtures.NOTES.add(scope.gracePeriod().toString());
        }

        @Test
        void b(ProcessScope scope) {
            Fixtures.NOTES.add(scope.gracePeriod().toString());
        }

        @Test
        void c(ProcessScope scope) {
            Fixtures.NOTES.add(scope.gracePeriod().toString());
        }
    }

    @Test
    void a_leftovers_configuration_parameter_of_fail_fails_a_test_that_left_processes_running() {
        EngineExecutionResults results = run(LeavesAProcessTestCase.class, ManagedProcessesExtension.LEFTOVERS_KEY, "FAIL");
        results.testEvents().assertThatEvents().haveExactly(1, event(test("leaves"), finishedWithFailure(
                instanceOf(AssertionError.class), message(m -> m.startsWith("ManagedProcessesExtensionTest$"
                        + "LeavesAProcessTestCase > leaves(ProcessScope) left 1 process running when it ended "
                        + "(@ManagedProcesses(leftovers = FAIL)); they were ended:\n  pid ")))));
        results.testEvents().assertStatistics(s -> s.succeeded(0).failed(1));
    }

    @Test
    void an_invalid_leftovers_configuration_parameter_is_logged_and_falls_back_to_kill() {
        List<String> log = logged(() -> assertSucceeded(run(LeavesAProcessTestCase.class,
                ManagedProcessesExtension.LEFTOVERS_KEY, "maybe"), 1));
        assertThat(log).containsExactly("WARNING managed-processes: ignoring configuration parameter "
                + "managedprocesses.teardown.leftovers.default='maybe': use kill or fail; using kill");
    }

    @Test
    void the_annotation_overrides_the_leftovers_configuration_parameter() {
        assertSucceeded(run(LeavesAProcessKillTestCase.class, ManagedProcessesExtension.LEFTOVERS_KEY, "fail"), 1);
    }

    @ManagedProcesses
    static class LeavesAProcessTestCase {
        @Test
        void leaves(ProcessScope scope) {
            track(scope, scope.start("sleep", "300"));
        }
    }

    @ManagedProcesses(leftovers = ManagedProcesses.Leftovers.KILL)
    static class LeavesAProcessKillTestCase extends LeavesAProcessTestCase {
    }

    @Test
    void a_scope_used_after_its_test_ended_is_a_clear_error() {
        run(ReusedScopeTestCase.class).testEvents().assertThatEvents().haveExactly(1, event(test("second"),
                finishedWithFailure(instanceOf(IllegalStateException.class), message(
                        "Cannot create a command: ProcessScope 'ManagedProcessesExtensionTest$ReusedScopeTestCase > "
                                + "first(ProcessScope)' is closed "
                                + "(its processes were torn down). Start processes only while the scope is open "
                                + "(inside the test or lifecycle method that received it)"))));
    }

    @ManagedProcesses
    @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
    static class ReusedScopeTestCase {
        static ProcessScope saved;

        @Test
        void first(ProcessScope scope) {
            saved = scope;
        }

        @Test
        void second() {
            saved.start("true");
        }
    }

    @Test
    void leftovers_fail_mode_fails_a_test_that_left_processes_running() {
        EngineExecutionResults results = run(LeftoversFailTestCase.class);
        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(1));
        results.testEvents().assertThatEvents().haveExactly(1, event(test("leaves"), finishedWithFailure(
                instanceOf(AssertionError.class), message(m -> m.startsWith(
                        "ManagedProcessesExtensionTest$LeftoversFailTestCase > leaves(ProcessScope) left 1 process "
                                + "running when it ended "
                                + "(@ManagedProcesses(leftovers = FAIL)); they were ended:\n  pid ")
                        && m.endsWith("End them in the test (terminate(), waitFor()), or use leftovers = KILL")))));
    }

    @ManagedProcesses(leftovers = ManagedProcesses.Leftovers.FAIL)
    static class LeftoversFailTestCase {
        @Test
        void leaves(ProcessScope scope) {
            track(scope, scope.start("sleep", "300"));
        }

        @Test
        void cleans_up(ProcessScope scope) throws Exception {
            ManagedProcess p = track(scope, scope.start("sleep", "300"));
            p.terminate();
        }
    }

    // ---------------------------------------------------------------- what cannot be cleaned up

    @LinuxOnly("command lines as the process's argv (/proc/<pid>/cmdline); the JDK shows the executable's full path")
    @Test
    void a_process_that_cannot_be_ended_fails_the_test_with_its_pid_and_command() throws Exception {
        String why = Unprivileged.unavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "Skipped: " + why);
        EngineExecutionResults results;
        try {
            results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(OutOfReachTestCase.class)).execute();
            Process victim = OutOfReachTestCase.victim;
            results.testEvents().assertThatEvents().haveExactly(1, event(test(), finishedWithFailure(
                    instanceOf(SurvivorsException.class), message(m -> m.startsWith("ProcessScope '"
                            + "ManagedProcessesExtensionTest$OutOfReachTestCase > adopts_a_process_it_may_not_signal(ProcessScope)': 1 process still "
                            + "alive after SIGTERM, the grace period and SIGKILL")
                            && m.contains("pid " + victim.pid() + " ppid ") && m.endsWith(": sleep 301")))));
            assertThat(victim.isAlive()).as("it really could not be signalled").isTrue();
        } finally {
            Process victim = OutOfReachTestCase.victim;
            if (victim != null) {
                victim.destroyForcibly();
                victim.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(stranger.untouched()).isTrue();
    }

    @org.junit.jupiter.api.extension.ExtendWith(Unprivileged.RestoreRoot.class) // registered first: runs last
    @ManagedProcesses(gracePeriod = "100 ms")
    static class OutOfReachTestCase {
        static Process victim;

        @Test
        void adopts_a_process_it_may_not_signal(ProcessScope scope) throws Exception {
            victim = new ProcessBuilder("sleep", "301").start(); // owned by root
            scope.adopt(victim);
            Unprivileged.dropThisThreadTo(65534); // teardown (same thread) now lacks permission
        }
    }

    @Test
    void report_entries_name_each_process() {
        EngineExecutionResults results = run(PlainChildTestCase.class);
        assertThat(results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
                .map(Map::keySet).flatMap(java.util.Set::stream)).containsOnly("managed-process");
        assertThat(Fixtures.PIDS).hasSize(1);
    }

    // ---------------------------------------------------------------- which scope each method gets

    @Test
    void lifecycle_methods_share_the_scope_of_their_test_or_class() {
        assertSucceeded(run(LifecycleTestCase.class), 2);
        assertThat(Fixtures.NOTES).containsExactly(
                "static field = @BeforeAll's",
                "@BeforeEach = test", "@AfterEach = test, still open", "method scope is not the class's",
                "@BeforeEach = test", "@AfterEach = test, still open", "method scope is not the class's",
                "@AfterAll = @BeforeAll's, still open");
        assertThat(Fixtures.PIDS).hasSize(3); // one per test and one from @AfterAll: all ended
    }

    @ManagedProcesses
    @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
    static class LifecycleTestCase {
        @ManagedProcesses.Scope
        static ProcessScope classField;
        static ProcessScope beforeAll;
        ProcessScope beforeEach;
        ProcessScope test;

        @BeforeAll
        static void beforeAll(ProcessScope scope) {
            beforeAll = scope;
            if (classField == scope) {
                Fixtures.NOTES.add("static field = @BeforeAll's");
            }
        }

        @BeforeEach
        void beforeEach(ProcessScope scope) {
            beforeEach = scope;
        }

        @Test
        void one(ProcessScope scope) {
            check(scope);
        }

        @Test
        void two(ProcessScope scope) {
            check(scope);
        }

        private void check(ProcessScope scope) {
            test = scope;
            if (beforeEach == scope) {
                Fixtures.NOTES.add("@BeforeEach = test");
            }
        }

        @AfterEach
        void afterEach(ProcessScope scope) {
            if (scope == test && !scope.isClosed()) {
                Fixtures.NOTES.add("@AfterEach = test, still open");
                track(scope, scope.start("sleep", "300")); // ended by the teardown that follows
            }
            if (scope != beforeAll) {
                Fixtures.NOTES.add("method scope is not the class's");
            }
        }

        @AfterAll
        static void afterAll(ProcessScope scope) {
            if (scope == beforeAll && !scope.isClosed()) {
                Fixtures.NOTES.add("@AfterAll = @BeforeAll's, still open");
                track(scope, scope.start("sleep", "300"));
            }
        }
    }

    // ---------------------------------------------------------------- how the extension is found

    @Test
    void a_composed_annotation_and_an_inherited_one_both_work() {
        assertSucceeded(run(ComposedTestCase.class), 1);
        assertSucceeded(run(SubclassTestCase.class), 1);
        assertThat(Fixtures.NOTES).containsExactly("PT0.3S", "PT0.4S");
        assertThat(Fixtures.PIDS).hasSize(2);
    }

    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ManagedProcesses(gracePeriod = "300 ms")
    @interface QuickTeardown {
    }

    @QuickTeardown
    static class ComposedTestCase {
        @Test
        void records(ProcessScope scope) {
            Fixtures.NOTES.add(scope.gracePeriod().toString());
            track(scope, scope.start("sleep", "300"));
        }
    }

    @ManagedProcesses(gracePeriod = "400 ms")
    abstract static class AnnotatedBase {
        @Test
        void records(ProcessScope scope) {
            Fixtures.NOTES.add(scope.gracePeriod().toString());
            track(scope, scope.start("sleep", "300"));
        }
    }

    static class SubclassTestCase extends AnnotatedBase {
    }

    // ---------------------------------------------------------------- the store alone closes scopes

    @Test
    void the_store_alone_ends_scopes_when_the_callbacks_do_not() {
        // AutoCloseable (JUnit 5.13+), then CloseableResource only (what JUnit before 5.13 closes)
        assertSucceeded(run(StoreOnlyTestCase.class), 1);
        assertThat(Fixtures.PIDS).hasSize(2);
        Fixtures.reset();
        assertSucceeded(run(StoreOnlyTestCase.class, "junit.jupiter.extensions.store.close.autocloseable.enabled",
                "false"), 1);
        assertThat(Fixtures.PIDS).hasSize(2);
    }

    static class StoreOnlyTestCase {
        @org.junit.jupiter.api.extension.RegisterExtension
        static final ManagedProcessesExtension EXTENSION = new ManagedProcessesExtension() {
            @Override
            public void afterEach(org.junit.jupiter.api.extension.ExtensionContext context) {
                // no explicit close: only the store's
            }

            @Override
            public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context) {
            }
        };

        @BeforeAll
        static void classProcess(ProcessScope scope) {
            track(scope, scope.start("sleep", "300"));
        }

        @Test
        void methodProcess(ProcessScope scope) {
            track(scope, scope.start("sleep", "300"));
        }
    }

    // ---------------------------------------------------------------- failures reach the class scope

    private static List<String> publishedFiles(EngineExecutionResults results) throws java.io.IOException {
        List<String> out = new ArrayList<>();
        for (var e : results.allEvents().stream().filter(e -> e.getType() == EventType.FILE_ENTRY_PUBLISHED).toList()) {
            var f = e.getPayload(org.junit.platform.engine.reporting.FileEntry.class).orElseThrow();
            out.add(Files.readString(f.getPath()));
            Files.deleteIfExists(f.getPath());
        }
        return out;
    }

    @Test
    void a_failing_parameterized_invocation_attaches_the_class_scopes_output() throws Exception {
        EngineExecutionResults results = run(ParameterizedFailureTestCase.class);
        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(1));
        assertThat(publishedFiles(results)).containsExactly("class output\n");
    }

    @ManagedProcesses
    static class ParameterizedFailureTestCase {
        @BeforeAll
        static void classProcess(ProcessScope scope) {
            ManagedProcess p = track(scope, scope.start("sh", "-c", "echo 'class output'; exec sleep 300"));
            p.stdout().awaitLineContaining("class output", TIMEOUT);
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2})
        void fails_once(int n) {
            if (n == 2) {
                throw new AssertionError("invocation 2 fails");
            }
        }
    }

    @Test
    void a_failing_nested_test_attaches_the_outer_class_scopes_output() throws Exception {
        EngineExecutionResults results = run(NestedFailureTestCase.class);
        results.testEvents().assertStatistics(s -> s.succeeded(0).failed(1));
        assertThat(publishedFiles(results)).containsExactly("class output\n");
    }

    @ManagedProcesses
    static class NestedFailureTestCase {
        @BeforeAll
        static void classProcess(ProcessScope scope) {
            ManagedProcess p = track(scope, scope.start("sh", "-c", "echo 'class output'; exec sleep 300"));
            p.stdout().awaitLineContaining("class output", TIMEOUT);
        }

        @Nested
        class Inner {
            @Test
            void fails() {
                throw new AssertionError("the nested test fails");
            }
        }
    }

    @Test
    void a_nested_class_whose_beforeAll_fails_attaches_the_outer_class_scopes_output() throws Exception {
        EngineExecutionResults results = run(NestedBeforeAllFailureTestCase.class);
        results.containerEvents().assertStatistics(s -> s.failed(1));
        results.testEvents().assertStatistics(s -> s.started(0));
        assertThat(publishedFiles(results)).containsExactly("class output\n");
    }

    @ManagedProcesses
    static class NestedBeforeAllFailureTestCase {
        @BeforeAll
        static void classProcess(ProcessScope scope) {
            ManagedProcess p = track(scope, scope.start("sh", "-c", "echo 'class output'; exec sleep 300"));
            p.stdout().awaitLineContaining("class output", TIMEOUT);
        }

        @Nested
        @TestInstance(TestInstance.Lifecycle.PER_CLASS)
        class Inner {
            @BeforeAll
            void setUp() {
                throw new AssertionError("the nested class's @BeforeAll fails");
            }

            @Test
            void neverRuns() {
            }
        }
    }
}
