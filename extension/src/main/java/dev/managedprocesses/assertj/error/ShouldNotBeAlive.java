package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.JdkLiveness;
import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code isNotAlive()} when the process is still running.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (sleep 100)&gt;
 * not to be alive
 * but it is still running
 * Process facts:
 *   ...
 * </pre>
 */
public class ShouldNotBeAlive extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess}, with the facts.
     *
     * @param actual the process still running
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldNotBeAlive(ManagedProcess actual) {
        ProcessFacts facts = ProcessFacts.of(actual);
        return new ShouldNotBeAlive("%nExpecting%n  <%s>%nnot to be alive%nbut %s%n%s", unquotedString(facts.subject()),
                unquotedString(facts.outcome()), unquotedString(facts.render()));
    }

    /**
     * For a {@link ProcessIdentity}; {@code commandLine} is what the process runs.
     *
     * @param actual the identity whose process still runs
     * @param commandLine what it runs, arguments joined by spaces
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldNotBeAlive(ProcessIdentity actual, String commandLine) {
        return new ShouldNotBeAlive("%nExpecting%n  <%s>%nnot to be alive%nbut it is still running: %s%n",
                unquotedString(actual.toString()), unquotedString(commandLine));
    }

    /**
     * For a JDK {@link ProcessHandle}, with what it runs (its command line, when readable).
     *
     * @param actual the handle whose process still runs
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldNotBeAlive(ProcessHandle actual) {
        return new ShouldNotBeAlive("%nExpecting%n  <%s>%nnot to be alive%nbut it is still running%s%n",
                unquotedString("pid " + actual.pid()), unquotedString(JdkLiveness.running(actual.pid())));
    }

    /**
     * For a JDK {@link Process}, with what it runs (its command line, when readable).
     *
     * @param actual the process still running
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldNotBeAlive(Process actual) {
        return new ShouldNotBeAlive("%nExpecting%n  <%s>%nnot to be alive%nbut it is still running%s%n",
                unquotedString("pid " + actual.pid()), unquotedString(JdkLiveness.running(actual.pid())));
    }

    private ShouldNotBeAlive(String format, Object... arguments) {
        super(format, arguments);
    }
}
