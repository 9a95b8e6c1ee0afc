package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ManagedProcess;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code exitedNormally()} when the process is running, exited with a non-zero code,
 * or was killed by a signal.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (sh -c exit 1)&gt;
 * to have exited normally (by itself, with code 0)
 * but it exited 1
 * Process facts:
 *   ...
 * </pre>
 */
public class ShouldHaveExitedNormally extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess}, with the facts: whether it runs or how it ended instead.
     *
     * @param actual the process that did not exit with code 0
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldHaveExitedNormally(ManagedProcess actual) {
        ProcessFacts facts = ProcessFacts.of(actual);
        return new ShouldHaveExitedNormally(
                "%nExpecting%n  <%s>%nto have exited normally (by itself, with code 0)%nbut %s%n%s",
                unquotedString(facts.subject()), unquotedString(facts.outcome()), unquotedString(facts.render()));
    }

    private ShouldHaveExitedNormally(String format, Object... arguments) {
        super(format, arguments);
    }
}
