package dev.managedprocesses.assertj;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import org.assertj.core.api.SoftAssertionsProvider;

/**
 * Soft process assertions to mix into any AssertJ soft-assertions class, so process and ordinary
 * assertions collect their failures together:
 *
 * <pre>{@code
 * class Softly extends SoftAssertions implements ProcessSoftAssertionsProvider {
 * }
 *
 * Softly softly = new Softly();
 * softly.assertThat(server).isAlive();
 * softly.assertThat(server.stdout().lines()).isNotEmpty();
 * softly.assertAll();
 * }</pre>
 *
 * <p>{@link ProcessSoftAssertions} is the ready-made class with only the process assertions.
 */
public interface ProcessSoftAssertionsProvider extends SoftAssertionsProvider {

    /**
     * Soft assertions on a process started or adopted by a {@code ProcessScope}; see
     * {@link ProcessAssertions#assertThat(ManagedProcess)}.
     *
     * @param actual the process to check, may be {@code null} (every assertion then fails)
     * @return an assertion object whose failures are collected instead of thrown
     */
    default ManagedProcessAssert assertThat(ManagedProcess actual) {
        return proxy(ManagedProcessAssert.class, ManagedProcess.class, actual);
    }

    /**
     * Soft assertions on a process identity; see {@link ProcessAssertions#assertThat(ProcessIdentity)}.
     *
     * @param actual the identity to check, may be {@code null} (every assertion then fails)
     * @return an assertion object whose failures are collected instead of thrown
     */
    default ProcessIdentityAssert assertThat(ProcessIdentity actual) {
        return proxy(ProcessIdentityAssert.class, ProcessIdentity.class, actual);
    }

    /**
     * Soft assertions on a JDK process handle; see {@link ProcessAssertions#assertThat(ProcessHandle)}.
     *
     * @param actual the handle to check, may be {@code null} (every assertion then fails)
     * @return an assertion object whose failures are collected instead of thrown
     */
    default ProcessHandleAssert assertThat(ProcessHandle actual) {
        return proxy(ProcessHandleAssert.class, ProcessHandle.class, actual);
    }

    /**
     * Soft assertions on a JDK process; see {@link ProcessAssertions#assertThat(Process)}.
     *
     * @param actual the process to check, may be {@code null} (every assertion then fails)
     * @return an assertion object whose failures are collected instead of thrown
     */
    default JdkProcessAssert assertThat(Process actual) {
        return proxy(JdkProcessAssert.class, Process.class, actual);
    }
}
