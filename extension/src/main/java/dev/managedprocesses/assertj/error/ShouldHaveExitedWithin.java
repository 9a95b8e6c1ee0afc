package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.JdkLiveness;
import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ManagedProcess;
import java.time.Duration;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code exitedWithin(timeout)} when the process was still running at the timeout.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (sleep 100)&gt;
 * to exit within 2 s
 * but it was still running after 2 s
 * Process facts:
 *   ...
 * </pre>
 */
public class ShouldHaveExitedWithin extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess}; {@code interrupted} when the wait was cut short by an interrupt.
     *
     * @param actual the process still running
     * @param timeout how long the assertion waited at most
     * @param interrupted whether an interrupt ended the wait before {@code timeout}
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldHaveExitedWithin(ManagedProcess actual, Duration timeout, boolean interrupted) {
        ProcessFacts facts = ProcessFacts.of(actual);
        return new ShouldHaveExitedWithin("%nExpecting%n  <%s>%nto exit within %s%nbut %s%n%s",
                unquotedString(facts.subject()), unquotedString(ProcessFacts.format(timeout)),
                unquotedString(reason(timeout, interrupted)), unquotedString(facts.render()));
    }

    /**
     * For a JDK {@link Process}, with what it runs; {@code interrupted} when the wait was cut short by an
     * interrupt.
     *
     * @param actual the process still running
     * @param timeout how long the assertion waited at most
     * @param interrupted whether an interrupt ended the wait before {@code timeout}
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldHaveExitedWithin(Process actual, Duration timeout, boolean interrupted) {
        return new ShouldHaveExitedWithin("%nExpecting%n  <%s>%nto exit within %s%nbut %s%n",
                unquotedString("pid " + actual.pid()), unquotedString(ProcessFacts.format(timeout)),
                unquotedString(reason(timeout, interrupted) + JdkLiveness.running(actual.pid())));
    }

    private static String reason(Duration timeout, boolean interrupted) {
        return interrupted ? "the wait was interrupted while it was still running"
                : "it was still running after " + ProcessFacts.format(timeout);
    }

    private ShouldHaveExitedWithin(String format, Object... arguments) {
        super(format, arguments);
    }
}
