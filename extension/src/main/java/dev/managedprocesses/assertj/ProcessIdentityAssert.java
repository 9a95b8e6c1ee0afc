package dev.managedprocesses.assertj;

import dev.managedprocesses.ProcessIdentity;

/**
 * Assertions on a {@link ProcessIdentity}: see {@link AbstractProcessIdentityAssert} for what they check. Get one with
 * {@link ProcessAssertions#assertThat(ProcessIdentity)}.
 *
 * <p>Non-final with a public one-argument constructor, so AssertJ's soft assertions can proxy it (see
 * {@link ProcessSoftAssertions}); to add assertions of your own, extend {@link AbstractProcessIdentityAssert}.
 */
public class ProcessIdentityAssert extends AbstractProcessIdentityAssert<ProcessIdentityAssert, ProcessIdentity> {

    /**
     * Assertions on {@code actual}; {@link ProcessAssertions#assertThat(ProcessIdentity)} is the usual
     * way to get one.
     *
     * @param actual the identity to check, may be {@code null} (every assertion then fails)
     */
    public ProcessIdentityAssert(ProcessIdentity actual) {
        super(actual, ProcessIdentityAssert.class);
    }
}
