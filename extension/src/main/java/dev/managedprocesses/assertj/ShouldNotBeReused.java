package dev.managedprocesses.assertj;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code notReused()}: a handle that mistakes whoever holds its pid now for its own
 * process, or an identity whose pid another process has taken.
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

    /** For a {@link ManagedProcess}; {@code reason} names the pid's holder and what the handle got wrong. */
    public static ErrorMessageFactory shouldNotBeReused(ManagedProcess actual, String reason) {
        ProcessFacts facts = ProcessFacts.of(actual);
        return new ShouldNotBeReused("%nExpecting%n  <%s>%nnot to be confused with another process that got its pid%n"
                + "but %s%n%s", unquotedString(facts.subject()), unquotedString(reason), unquotedString(facts.render()));
    }

    /** For a {@link ProcessIdentity} whose pid {@code holder} (described) now has. */
    public static ErrorMessageFactory shouldNotBeReused(ProcessIdentity actual, String holder) {
        return new ShouldNotBeReused("%nExpecting%n  <%s>%nnot to have had its pid taken by another process%n"
                + "but pid %s now belongs to %s%n", unquotedString(actual.toString()), unquotedString(Long.toString(actual.pid())),
                unquotedString(holder));
    }

    private ShouldNotBeReused(String format, Object... arguments) {
        super(format, arguments);
    }
}
