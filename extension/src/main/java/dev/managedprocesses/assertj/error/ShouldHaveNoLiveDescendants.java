package dev.managedprocesses.assertj.error;

import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessInfo;
import java.util.List;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The message of {@code hasNoLiveDescendants()}, naming the descendants that still run.
 *
 * <pre>
 * Expecting
 *   &lt;pid 4242 (sh -c sleep 100 &amp; wait)&gt;
 * to have no live descendants
 * but it has 1 (listed below)
 * Process facts:
 *   ...
 *   live descendants:
 *     pid 4243: sleep 100
 * </pre>
 */
public class ShouldHaveNoLiveDescendants extends BasicErrorMessageFactory {

    /**
     * For a {@link ManagedProcess} and the live {@code descendants} found.
     *
     * @param actual the process that has live descendants
     * @param descendants the live descendants found, listed in the message with the facts
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldHaveNoLiveDescendants(ManagedProcess actual, List<ProcessInfo> descendants) {
        ProcessFacts facts = ProcessFacts.of(actual, descendants);
        return new ShouldHaveNoLiveDescendants("%nExpecting%n  <%s>%nto have no live descendants%nbut it has %s (listed below)%n%s",
                unquotedString(facts.subject()), descendants.size(), unquotedString(facts.render()));
    }

    /**
     * For a JDK {@link ProcessHandle} and the live {@code descendants} found.
     *
     * @param actual the handle whose process has live descendants
     * @param descendants the live descendants found, listed in the message
     * @return the message factory, for {@code throwAssertionError}
     */
    public static ErrorMessageFactory shouldHaveNoLiveDescendants(ProcessHandle actual, List<ProcessInfo> descendants) {
        return new ShouldHaveNoLiveDescendants("%nExpecting%n  <%s>%nto have no live descendants%nbut it has %s:%n%s",
                unquotedString("pid " + actual.pid()), descendants.size(),
                unquotedString(ProcessFacts.list(descendants, "  ")));
    }

    private ShouldHaveNoLiveDescendants(String format, Object... arguments) {
        super(format, arguments);
    }
}
