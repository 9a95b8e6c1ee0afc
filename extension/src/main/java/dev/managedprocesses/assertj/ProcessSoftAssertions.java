package dev.managedprocesses.assertj;

import java.util.function.Consumer;
import org.assertj.core.api.AbstractSoftAssertions;
import org.assertj.core.api.SoftAssertionsProvider;

/**
 * Collects process assertion failures instead of stopping at the first, and reports them together:
 *
 * <pre>{@code
 * ProcessSoftAssertions.assertSoftly(softly -> {
 *     softly.assertThat(server).isAlive();
 *     softly.assertThat(server).stderr().doesNotContain("Traceback");
 *     softly.assertThat(worker).hasNoLiveDescendants();
 * });
 * }</pre>
 *
 * <p>Navigation ({@code stdout()}, {@code stderrLines()}) is soft too. To mix process assertions
 * with AssertJ's others in one collection, implement {@link ProcessSoftAssertionsProvider} in a
 * subclass of AssertJ's {@code SoftAssertions}.
 */
public class ProcessSoftAssertions extends AbstractSoftAssertions implements ProcessSoftAssertionsProvider {

    /** An empty collection of soft assertions: call {@link #assertAll()} once they are made. */
    public ProcessSoftAssertions() {
    }

    /**
     * Runs {@code softly} and then fails with every collected failure, if any.
     *
     * @param softly the assertions to run, given a fresh {@code ProcessSoftAssertions}
     * @throws AssertionError listing every failed assertion, when at least one failed
     */
    public static void assertSoftly(Consumer<ProcessSoftAssertions> softly) {
        SoftAssertionsProvider.assertSoftly(ProcessSoftAssertions.class, softly);
    }
}
