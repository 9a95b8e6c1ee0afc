/**
 * JUnit Jupiter integration: {@link dev.managedprocesses.junit.ManagedProcesses} on a test class hands its
 * tests, lifecycle methods and annotated fields a {@link dev.managedprocesses.ProcessScope}, and ends whatever
 * the scope owns when the test (or the class) ends, publishing what happened to each process as report entries.
 *
 * <pre>{@code
 * @ManagedProcesses
 * class ServerTest {
 *     @Test
 *     void answers(ProcessScope processes) {
 *         ManagedProcess server = processes.start("python3", "-u", "-m", "http.server", "0");
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>JUnit Jupiter is not a dependency of this library: it runs on the one your tests bring.
 */
package dev.managedprocesses.junit;
