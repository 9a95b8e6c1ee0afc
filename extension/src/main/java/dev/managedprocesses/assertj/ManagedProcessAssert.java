package dev.managedprocesses.assertj;

import dev.managedprocesses.ManagedProcess;

/**
 * Assertions on a {@link ManagedProcess}: see {@link AbstractManagedProcessAssert} for what they check. Get one with
 * {@link ProcessAssertions#assertThat(ManagedProcess)}.
 *
 * <p>Non-final with a public one-argument constructor, so AssertJ's soft assertions can proxy it (see
 * {@link ProcessSoftAssertions}); to add assertions of your own, extend {@link AbstractManagedProcessAssert}.
 */
public class ManagedProcessAssert extends AbstractManagedProcessAssert<ManagedProcessAssert, ManagedProcess> {

    /**
     * Assertions on {@code actual}; {@link ProcessAssertions#assertThat(ManagedProcess)} is the usual
     * way to get one.
     *
     * @param actual the process to check, may be {@code null} (every assertion then fails)
     */
    public ManagedProcessAssert(ManagedProcess actual) {
        super(actual, ManagedProcessAssert.class);
    }
}
