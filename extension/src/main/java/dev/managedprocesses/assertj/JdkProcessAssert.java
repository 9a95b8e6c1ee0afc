package dev.managedprocesses.assertj;

/**
 * Assertions on a {@link Process}: see {@link AbstractJdkProcessAssert} for what they check. Get one with
 * {@link ProcessAssertions#assertThat(Process)}.
 *
 * <p>Non-final with a public one-argument constructor, so AssertJ's soft assertions can proxy it (see
 * {@link ProcessSoftAssertions}); to add assertions of your own, extend {@link AbstractJdkProcessAssert}.
 */
public class JdkProcessAssert extends AbstractJdkProcessAssert<JdkProcessAssert, Process> {

    /**
     * Assertions on {@code actual}; {@link ProcessAssertions#assertThat(Process)} is the usual way to
     * get one.
     *
     * @param actual the JDK process to check, may be {@code null} (every assertion then fails)
     */
    public JdkProcessAssert(Process actual) {
        super(actual, JdkProcessAssert.class);
    }
}
