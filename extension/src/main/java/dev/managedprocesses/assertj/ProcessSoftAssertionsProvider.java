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

    /** Soft assertions on a process started or adopted by a {@code ProcessScope}. */
    default ManagedProcessAssert assertThat(ManagedProcess actual) {
        return proxy(ManagedProcessAssert.class, ManagedProcess.class, actual);
    }

    /** Soft assertions on a process identity. */
    default ProcessIdentityAssert assertThat(ProcessIdentity actual) {
        return proxy(ProcessIdentityAssert.class, ProcessIdentity.class, actual);
    }

    /** Soft assertions on a JDK process handle. */
    default ProcessHandleAssert assertThat(ProcessHandle actual) {
        return proxy(ProcessHandleAssert.class, ProcessHandle.class, actual);
    }

    /** Soft assertions on a JDK process. */
    default JdkProcessAssert assertThat(Process actual) {
        return proxy(JdkProcessAssert.class, Process.class, actual);
    }
}
