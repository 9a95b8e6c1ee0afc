package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ManagedProcess;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code isProcessGroupLeader()} when the handle or the kernel says the process does
 * not lead a process group of its own.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4243 (python3 -c ...)&gt;
 * to lead its own process group
 * but the kernel has it in process group 4242
 * Process facts:
 *   ...
 * </pre>
 */
public class ShouldBeProcessGroupLeader extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess}; {@code reason} says who disagrees and which group it is in.
     *
     * @param actual the process that does not lead its own group
     * @param reason why not, completing "but ...", e.g. {@code the kernel has it in process group 4242}
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldBeProcessGroupLeader(ManagedProcess actual, String reason) {
        ProcessFacts facts = ProcessFacts.of(actual);
        return new ShouldBeProcessGroupLeader("%nExpecting%n  <%s>%nto lead its own process group%nbut %s%n%s",
                unquotedString(facts.subject()), unquotedString(reason), unquotedString(facts.render()));
    }

    private ShouldBeProcessGroupLeader(String format, Object... arguments) {
        super(format, arguments);
    }
}
