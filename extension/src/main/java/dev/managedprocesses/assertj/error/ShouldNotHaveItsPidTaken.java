package dev.managedprocesses.assertj.error;

import dev.managedprocesses.ProcessIdentity;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code notReused()} on a {@link ProcessIdentity} whose pid another process holds now.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (started at tick 981)&gt;
 * not to have had its pid taken by another process
 * but pid 4242 now belongs to pid 4242 (started at tick 9811): sleep 300
 * </pre>
 */
public class ShouldNotHaveItsPidTaken extends BasicErrorMessageFactory {

    /**
     * For a {@link ProcessIdentity} whose pid {@code holder} (described) now has.
     *
     * @param actual the identity whose pid was taken
     * @param holder the process that holds the pid now, e.g. {@code pid 4242 (started at tick 9811): sleep 300}
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldNotHaveItsPidTaken(ProcessIdentity actual, String holder) {
        return new ShouldNotHaveItsPidTaken("%nExpecting%n  <%s>%nnot to have had its pid taken by another process%n"
                + "but pid %s now belongs to %s%n", unquotedString(actual.toString()),
                unquotedString(Long.toString(actual.pid())), unquotedString(holder));
    }

    private ShouldNotHaveItsPidTaken(String format, Object... arguments) {
        super(format, arguments);
    }
}
