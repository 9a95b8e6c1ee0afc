package dev.managedprocesses.assertj;

/**
 * Assertions on a {@link ProcessHandle}: see {@link AbstractProcessHandleAssert} for what they check. Get one with
 * {@link ProcessAssertions#assertThat(ProcessHandle)}.
 *
 * <p>Non-final with a public one-argument constructor, so AssertJ's soft assertions can proxy it (see
 * {@link ProcessSoftAssertions}); to add assertions of your own, extend {@link AbstractProcessHandleAssert}.
 */
public class ProcessHandleAssert extends AbstractProcessHandleAssert<ProcessHandleAssert, ProcessHandle> {

    /**
     * Assertions on {@code actual}; {@link ProcessAssertions#assertThat(ProcessHandle)} is the usual
     * way to get one.
     *
     * @param actual the JDK handle to check, may be {@code null} (every assertion then fails)
     */
    public ProcessHandleAssert(ProcessHandle actual) {
        super(actual, ProcessHandleAssert.class);
    }
}
