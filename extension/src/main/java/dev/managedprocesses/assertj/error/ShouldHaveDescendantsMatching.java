package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessInfo;
import java.util.List;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code hasDescendantsMatching(...)} when no live descendant matches.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (sh -c sleep 100 &amp; wait)&gt;
 * to have a live descendant matching
 *   &lt;command line "sleep 200"&gt;
 * but none of its 1 live descendants matches (listed below)
 * Process facts:
 *   ...
 * </pre>
 */
public class ShouldHaveDescendantsMatching extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess}, the live {@code descendants} that were checked, and what was looked for.
     *
     * @param actual the process whose descendants were checked
     * @param descendants the live descendants that were checked (none matched), listed in the message
     * @param description what was looked for, e.g. {@code command line "sleep 200"}
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldHaveDescendantsMatching(ManagedProcess actual, List<ProcessInfo> descendants,
            String description) {
        ProcessFacts facts = ProcessFacts.of(actual, descendants);
        String reason = descendants.isEmpty() ? "it has no live descendants"
                : "none of its " + descendants.size() + " live descendants matches (listed below)";
        return new ShouldHaveDescendantsMatching("%nExpecting%n  <%s>%nto have a live descendant matching%n  <%s>%nbut %s%n%s",
                unquotedString(facts.subject()), unquotedString(description), unquotedString(reason),
                unquotedString(facts.render()));
    }

    private ShouldHaveDescendantsMatching(String format, Object... arguments) {
        super(format, arguments);
    }
}
