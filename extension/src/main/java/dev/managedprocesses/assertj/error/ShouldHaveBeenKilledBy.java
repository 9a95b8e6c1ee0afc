package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.Signal;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code wasKilledBy(signal)} when the process is running, exited by itself, or died
 * of another signal.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (sleep 100)&gt;
 * to have been killed by SIGTERM
 * but it was killed by SIGKILL
 * Process facts:
 *   ...
 * </pre>
 */
public class ShouldHaveBeenKilledBy extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess}, with the facts: how it ended instead, and who ended it.
     *
     * @param actual the process that was not killed by {@code signal}
     * @param signal the expected signal
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldHaveBeenKilledBy(ManagedProcess actual, Signal signal) {
        ProcessFacts facts = ProcessFacts.of(actual);
        return new ShouldHaveBeenKilledBy("%nExpecting%n  <%s>%nto have been killed by %s%nbut %s%n%s",
                unquotedString(facts.subject()), unquotedString(signal.signalName()), unquotedString(facts.outcome()),
                unquotedString(facts.render()));
    }

    private ShouldHaveBeenKilledBy(String format, Object... arguments) {
        super(format, arguments);
    }
}
