package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ManagedProcess;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code notReused()} on a {@link ManagedProcess}: a handle that mistakes whoever holds
 * its pid now (or nobody) for its own process. For a {@code ProcessIdentity} see
 * {@link ShouldNotHaveItsPidTaken}.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (true)&gt;
 * not to be confused with another process that got its pid
 * but pid 4242 now belongs to pid 4242 (started at tick 9811): sleep 300, yet the handle says it is alive
 * Process facts:
 *   ...
 * </pre>
 */
public class ShouldNotBeReused extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess}; {@code reason} names the pid's holder and what the handle got wrong.
     *
     * @param actual the handle that mistakes another process for its own
     * @param reason completing "but ...", e.g. {@code pid 4242 now belongs to ..., yet the handle says it is alive}
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldNotBeReused(ManagedProcess actual, String reason) {
        ProcessFacts facts = ProcessFacts.of(actual);
        return new ShouldNotBeReused("%nExpecting%n  <%s>%nnot to be confused with another process that got its pid%n"
                + "but %s%n%s", unquotedString(facts.subject()), unquotedString(reason), unquotedString(facts.render()));
    }

    private ShouldNotBeReused(String format, Object... arguments) {
        super(format, arguments);
    }
}
