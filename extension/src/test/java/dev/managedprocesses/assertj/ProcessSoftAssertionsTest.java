package dev.managedprocesses.assertj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.Signal;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.error.AssertJMultipleFailuresError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Soft assertions: failures are collected (navigation included), not thrown one by one. */
class ProcessSoftAssertionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private ProcessScope scope;

    @BeforeEach
    void open() {
        scope = ProcessScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Mixes process assertions into AssertJ's own soft assertions. */
    static class Softly extends SoftAssertions implements ProcessSoftAssertionsProvider {
    }

    /** A CLI that has exited and been reaped (so its identity's pid is free, not a zombie). */
    private ManagedProcess cli() throws InterruptedException {
        ManagedProcess cli = scope.start("sh", "-c", "echo 'usage: tool FILE' >&2; exit 2");
        assertThat(cli.waitFor(TIMEOUT)).isPresent();
        assertThat(Proc.eventually(TIMEOUT, () -> !Proc.exists(cli.pid()))).as("reaped").isTrue();
        return cli;
    }

    @LinuxOnly("a started process leads a process group of its own")
    @Test
    void should_pass_when_every_soft_assertion_holds() throws Exception {
        ManagedProcess cli = cli();
        ManagedProcess server = scope.start("sleep", "100");

        assertThatCode(() -> ProcessSoftAssertions.assertSoftly(softly -> {
            softly.assertThat(cli).isNotAlive().exitedWith(2);
            softly.assertThat(cli).stderr().startsWith("usage:");
            softly.assertThat(cli).stderrLines().containsExactly("usage: tool FILE");
            softly.assertThat(server).isAlive().isProcessGroupLeader().notReused();
            softly.assertThat(server.identity()).isAlive();
            softly.assertThat(server.toHandle().orElseThrow()).isAlive();
        })).doesNotThrowAnyException();
    }

    @Test
    void should_collect_every_failure_including_navigation_and_report_them_together() throws Exception {
        ManagedProcess cli = cli();
        ProcessSoftAssertions softly = new ProcessSoftAssertions();

        softly.assertThat(cli).isAlive();                         // fails
        softly.assertThat(cli).exitedWith(2);                     // passes
        softly.assertThat(cli).wasKilledBy(Signal.TERM);          // fails
        softly.assertThat(cli).stderr().contains("--help");       // fails, through navigation
        softly.assertThat(cli).stdoutLines().isNotEmpty();        // fails, through navigation
        softly.assertThat(cli.identity()).isAlive();              // fails

        List<AssertionError> errors = softly.assertionErrorsCollected();
        String facts = Expected.facts(cli).status("exited 2, on its own").stderr("usage: tool FILE").toString();
        String here = "should_collect_every_failure_including_navigation_and_report_them_together";
        assertThat(errors).extracting(Throwable::getMessage).satisfiesExactly(
                m -> assertThat(m).matches(calledFrom(here, Expected.head(cli, "to be alive", "it exited 2") + facts)),
                m -> assertThat(m).matches(calledFrom(here,
                        Expected.head(cli, "to have been killed by SIGTERM", "it exited 2") + facts)),
                m -> assertThat(m).matches(calledFrom(here, "[stderr of " + Expected.subject(cli) + "] \n"
                        + "Expecting actual:\n  \"usage: tool FILE\n\"\nto contain:\n  \"--help\" \n")),
                m -> assertThat(m).matches(calledFrom(here, "[stdout of " + Expected.subject(cli) + "] \n"
                        + "Expecting actual not to be empty\n")),
                m -> assertThat(m).matches(calledFrom(here, "\nExpecting\n  <pid " + cli.pid() + " (started at tick "
                        + cli.identity().startTime() + ")>\nto be alive\nbut no process holds pid " + cli.pid() + "\n")));

        AssertJMultipleFailuresError all = catchThrowableOfType(AssertJMultipleFailuresError.class, softly::assertAll);
        assertThat(all.getFailures()).hasSize(5);
        assertThat(all).hasMessageStartingWith("\nMultiple Failures (5 failures)\n-- failure 1 --"
                + Expected.head(cli, "to be alive", "it exited 2"));
    }

    @Test
    void should_collect_process_failures_beside_ordinary_ones_in_assertjs_soft_assertions() throws Exception {
        ManagedProcess cli = cli();
        Softly softly = new Softly();

        softly.assertThat("text").isEqualTo("text");               // AssertJ's own, passes
        softly.assertThat(List.of(1, 2)).hasSize(3);              // AssertJ's own, fails
        softly.assertThat(cli).exitedNormally();                  // ours, fails

        assertThat(softly.errorsCollected()).hasSize(2);
        assertThat(softly.errorsCollected().get(1).getMessage()).matches(calledFrom(
                "should_collect_process_failures_beside_ordinary_ones_in_assertjs_soft_assertions",
                Expected.head(cli, "to have exited normally (by itself, with code 0)", "it exited 2")
                        + Expected.facts(cli).status("exited 2, on its own").stderr("usage: tool FILE")));
    }

    @Test
    void should_collect_failures_of_jdk_handle_and_process_assertions() throws Exception {
        Process jdk = new ProcessBuilder("sh", "-c", "exit 2").start();
        try {
            assertThat(jdk.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            ProcessSoftAssertions softly = new ProcessSoftAssertions();

            softly.assertThat(jdk.toHandle()).isAlive();          // fails
            softly.assertThat(jdk.toHandle()).isNotAlive();       // passes
            softly.assertThat(jdk).exitedWith(0);                 // fails
            softly.assertThat(jdk).isAlive();                     // fails

            String here = "should_collect_failures_of_jdk_handle_and_process_assertions";
            String subject = "\nExpecting\n  <pid " + jdk.pid() + ">\n";
            assertThat(softly.assertionErrorsCollected()).extracting(Throwable::getMessage).satisfiesExactly(
                    m -> assertThat(m).matches(calledFrom(here, subject + "to be alive\nbut it has ended\n")),
                    m -> assertThat(m).matches(calledFrom(here, subject + "to have exited with code 0\n"
                            + "but it exited with code 2\n")),
                    m -> assertThat(m).matches(calledFrom(here, subject + "to be alive\nbut it exited with code 2\n")));
        } finally {
            jdk.getOutputStream().close();
            jdk.getInputStream().close();
            jdk.getErrorStream().close();
        }
    }

    /**
     * A collected soft failure: the exact message, then the line AssertJ appends to say where the
     * assertion was made (only its line number is left open).
     */
    private static Pattern calledFrom(String testMethod, String message) {
        return Pattern.compile(Pattern.quote(message + "at ProcessSoftAssertionsTest." + testMethod
                + "(ProcessSoftAssertionsTest.java:") + "\\d+\\)", Pattern.DOTALL);
    }
}
