/**
 * AssertJ assertions on processes: {@link dev.managedprocesses.assertj.ProcessAssertions#assertThat}
 * for {@code ManagedProcess}, {@code ProcessIdentity} and the JDK's {@code ProcessHandle} and
 * {@code Process}, and {@link dev.managedprocesses.assertj.ProcessSoftAssertions} for soft assertions.
 * Each failure message comes from one factory ({@code ShouldBeAlive}, {@code ShouldHaveExitedWith},
 * ...) and carries the facts that explain it: identity, exit status and who ended the process, the
 * last lines of stderr, live descendants.
 *
 * <p>AssertJ is not a dependency of this library: add {@code org.assertj:assertj-core} (3.x) to your
 * test dependencies to use this package.
 */
package dev.managedprocesses.assertj;
