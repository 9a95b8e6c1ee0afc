/**
 * Awaitility conditions on processes: {@link dev.managedprocesses.awaitility.ProcessConditions}
 * (a line of output, the process exited, a TCP port opened by the process, a file appeared), each
 * usable in {@code await().until(...)} and, with a timeout message that says what was last seen,
 * {@code await().untilAsserted(...)} (Awaitility's {@code until} names only the condition's class).
 *
 * <p>Awaitility is not a dependency of this library: add {@code org.awaitility:awaitility} (4.x) to your
 * test dependencies to use this package.
 */
package dev.managedprocesses.awaitility;
