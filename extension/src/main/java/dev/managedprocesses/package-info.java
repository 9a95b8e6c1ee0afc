/**
 * Subprocesses in tests, made safe: a {@link dev.managedprocesses.ProcessScope} owns the processes started
 * (or adopted) through it and, when it closes, ends each of them with everything it forked: SIGTERM, a grace
 * period, SIGKILL, then a fresh look at the process table to verify that nothing of the scope lives.
 *
 * <pre>{@code
 * try (ProcessScope scope = ProcessScope.open()) {
 *     ManagedProcess server = scope.start("python3", "-u", "-m", "http.server", "0");
 *     server.stdout().awaitLine(Pattern.compile("port (\\d+)"), Duration.ofSeconds(10));
 *     ...
 * } // the server and everything it forked are gone here
 * }</pre>
 *
 * <p>A {@link dev.managedprocesses.ManagedProcess} is known by identity ({@link dev.managedprocesses.ProcessIdentity}:
 * pid + start time + boot id), not by a pid the kernel may recycle, so once its process is gone it signals
 * nobody. Every process a scope starts leads a process group of its own; its output is captured
 * ({@link dev.managedprocesses.ProcessOutput}); how it ended is an {@link dev.managedprocesses.ExitStatus}, and who
 * ended it an {@link dev.managedprocesses.EndedBy}.
 *
 * <p>Beside this package: {@code dev.managedprocesses.junit} hands JUnit Jupiter tests a scope,
 * {@code dev.managedprocesses.assertj} and {@code dev.managedprocesses.awaitility} add assertions and waits on
 * processes, and {@code dev.managedprocesses.leaks} finds processes that tests leave running, whoever started
 * them. Packages named {@code internal} are not API: they may change in any release.
 */
package dev.managedprocesses;
