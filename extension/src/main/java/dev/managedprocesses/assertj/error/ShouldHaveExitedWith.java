package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.JdkLiveness;
import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import java.util.Optional;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code exitedWith(code)} when the process is running, exited with another code, or
 * was killed by a signal.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (sh -c exit 3)&gt;
 * to have exited with code 2
 * but it exited 3
 * Process facts:
 *   ...
 * </pre>
 */
public class ShouldHaveExitedWith extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess}, with the facts; for a death by the signal the shell would report as
     * {@code expectedCode}, the message says to assert it with {@code wasKilledBy}.
     *
     * @param actual the process that did not exit with {@code expectedCode}
     * @param expectedCode the expected exit code
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldHaveExitedWith(ManagedProcess actual, int expectedCode) {
        ProcessFacts facts = ProcessFacts.of(actual);
        String outcome = facts.outcome();
        Optional<ExitStatus> status = facts.status();
        if (status.isPresent() && status.get().killed() && status.get().code() == expectedCode) {
            // The shell would print this code for the signal: say how to assert a death by signal.
            outcome += " (the shell reports that as " + expectedCode + "; use wasKilledBy(Signal."
                    + status.get().signal().map(Enum::name).orElse("...") + ") for deaths by signal)";
        }
        return new ShouldHaveExitedWith("%nExpecting%n  <%s>%nto have exited with code %s%nbut %s%n%s",
                unquotedString(facts.subject()), expectedCode, unquotedString(outcome), unquotedString(facts.render()));
    }

    /**
     * For a JDK {@link Process}; {@code exitValue} is empty while it runs (the message then says what
     * it runs). The JDK reports a death by signal {@code n} as {@code 128 + n}.
     *
     * @param actual the process that did not exit with {@code expectedCode}
     * @param expectedCode the expected exit value
     * @param exitValue its {@link Process#exitValue()}, or empty while it runs
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldHaveExitedWith(Process actual, int expectedCode, Optional<Integer> exitValue) {
        String outcome = exitValue.map(v -> "it exited with code " + v)
                .orElseGet(() -> "it is still running" + JdkLiveness.running(actual.pid()));
        return new ShouldHaveExitedWith("%nExpecting%n  <%s>%nto have exited with code %s%nbut %s%n",
                unquotedString("pid " + actual.pid()), expectedCode, unquotedString(outcome));
    }

    private ShouldHaveExitedWith(String format, Object... arguments) {
        super(format, arguments);
    }
}
