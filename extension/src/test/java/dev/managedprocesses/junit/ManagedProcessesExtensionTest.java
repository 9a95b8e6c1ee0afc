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
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
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
                .matches("pid \\d+ \\(sleep 300\\): killed by SIGTERM, ended by SIGTERM from teardown in \\d+ ms");
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
        assertThat(records(results)).singleElement().asString().contains("killed by SIGKILL")
                .contains("needed SIGKILL after the grace period (WARNING: it ignored SIGTERM)");
    }

    @ManagedProcesses(gracePeriod = "200 ms")
    static class IgnoresTermTestCase {
        @Test
        void leaves_a_stubborn_child(ProcessScope processes) {
            ManagedProcess p = track(processes, processes.start("sh", "-c", "trap '' TERM; echo ready; exec sleep 300"));
            p.stdout().awaitLineContaining("ready", TIMEOUT);
        }
    }

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

    @Test
    void a_stopped_child_is_ended() {
        assertSucceeded(run(StoppedTestCase.class), 1);
    }

    @ManagedProcesses
    static class StoppedTestCase {
        @Test
        void stops_it(ProcessScope processes) {
            ManagedProcess p = track(processes, processes.start("sleep", "300"));
            p.suspend();
            if (!Proc.eventually(TIMEOUT, () -> Proc.state(p.pid()) == 'T')) {
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

    @Test
    void parallel_tests_never_touch_each_others_processes() {
        EngineExecutionResults results = run(ParallelTestCase.class,
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
        assertSucceeded(results, 8);
        assertThat(Fixtures.NOTES).hasSize(8).allMatch(n -> n.equals("all mine alive"));
    }

    @ManagedProcesses(gracePeriod = "100 ms")
    static class ParallelTestCase {
        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
        void overlap(int n, ProcessScope processes) throws Exception {
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
    void a_final_field_is_a_clear_error() {
        EngineExecutionResults results = run(FinalFieldTestCase.class);
        results.containerEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(
                instanceOf(ExtensionConfigurationException.class),
                message(m -> m.startsWith("@ManagedProcesses.Scope field [") && m.contains("FinalFieldTestCase.scope")
                        && m.contains("must not be declared as final")))));
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
    void an_invalid_grace_period_attribute_is_a_clear_error() {
        run(InvalidGraceTestCase.class).testEvents().assertThatEvents().haveExactly(1, event(test(),
                finishedWithFailure(instanceOf(ParameterResolutionException.class),
                        message(m -> m.contains("@ManagedProcesses(gracePeriod = \"soon\") on "
                                + InvalidGraceTestCase.class.getName() + ": 'soon' is not a grace period: use a "
                                + "non-negative number with a unit, such as \"2 s\", \"500 ms\" or \"1 min\"")))));
    }

    @ManagedProcesses(gracePeriod = "soon")
    static class InvalidGraceTestCase {
        @Test
        void never_runs(ProcessScope scope) {
        }
    }

    @Test
    void configuration_parameters_set_defaults_and_invalid_ones_fall_back() {
        assertSucceeded(run(ConfiguredTestCase.class, ManagedProcessesExtension.GRACE_KEY, "750 ms"), 1);
        assertSucceeded(run(ConfiguredTestCase.class, ManagedProcessesExtension.GRACE_KEY, "a while"), 1);
        assertThat(Fixtures.NOTES).containsExactly("PT0.75S", "PT2S");
    }

    @ManagedProcesses
    static class ConfiguredTestCase {
        @Test
        void records(ProcessScope scope) {
            Fixtures.NOTES.add(scope.gracePeriod().toString());
        }
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
}
