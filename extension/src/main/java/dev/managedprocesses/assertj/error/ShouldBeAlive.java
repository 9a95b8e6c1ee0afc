package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code isAlive()} when the process is not alive.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (sh -c exit 3)&gt;
 * to be alive
 * but it exited 3
 * Process facts:
 *   ...
 * </pre>
 */
public class ShouldBeAlive extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess}: what ended it, and the facts.
     *
     * @param actual the process that is not alive
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldBeAlive(ManagedProcess actual) {
        ProcessFacts facts = ProcessFacts.of(actual);
        return new ShouldBeAlive("%nExpecting%n  <%s>%nto be alive%nbut %s%n%s", unquotedString(facts.subject()),
                unquotedString(facts.outcome()), unquotedString(facts.render()));
    }

    /**
     * For a {@link ProcessIdentity}; {@code reason} says why it is not (gone, a zombie, its pid taken by another).
     *
     * @param actual the identity whose process is not alive
     * @param reason why not, completing "but ...", e.g. {@code no process holds pid 4242}
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldBeAlive(ProcessIdentity actual, String reason) {
        return new ShouldBeAlive("%nExpecting%n  <%s>%nto be alive%nbut %s%n", unquotedString(actual.toString()),
                unquotedString(reason));
    }

    /**
     * For a JDK {@link ProcessHandle}; {@code reason} says why it is not (ended, a zombie).
     *
     * @param actual the handle whose process is not alive
     * @param reason why not, completing "but ...", e.g. {@code it has ended}
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldBeAlive(ProcessHandle actual, String reason) {
        return new ShouldBeAlive("%nExpecting%n  <%s>%nto be alive%nbut %s%n", unquotedString("pid " + actual.pid()),
                unquotedString(reason));
    }

    /**
     * For a JDK {@link Process}; {@code reason} says why it is not (exited, a zombie).
     *
     * @param actual the process that is not alive
     * @param reason why not, completing "but ...", e.g. {@code it exited with code 3}
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldBeAlive(Process actual, String reason) {
        return new ShouldBeAlive("%nExpecting%n  <%s>%nto be alive%nbut %s%n", unquotedString("pid " + actual.pid()),
                unquotedString(reason));
    }

    private ShouldBeAlive(String format, Object... arguments) {
        super(format, arguments);
    }
}
