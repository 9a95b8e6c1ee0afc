package dev.managedprocesses.internal.os;

/**
 * Starts processes. The child always leads a new process group (of a new session, when asked), starts
 * with an empty signal mask and default signal dispositions, and gets only descriptors 0, 1 and 2:
 * every descriptor the JVM keeps is close-on-exec.
 *
 * <p>On the portable platform ({@link Os#portable()}) the JDK starts children instead
 * ({@link #startProcess}): it owns, waits for and reaps them, and they stay in the JVM's process group.
 */
public interface Spawner {

    /** Spawns a child into its own process group; see {@link SpawnRequest}. */
    Spawned spawn(SpawnRequest request) throws SpawnException;

    /**
     * Starts a child through {@code java.lang.ProcessBuilder} (the portable platform): the JDK owns it. The
     * request's process-group promise does not hold there; its stdio, environment and directory do.
     *
     * @throws java.io.IOException as {@code ProcessBuilder.start()} does (the message says why)
     * @throws UnsupportedOperationException on a platform that spawns natively ({@link #spawn})
     */
    default Process startProcess(SpawnRequest request) throws java.io.IOException {
        throw new UnsupportedOperationException("this platform spawns children natively: use spawn(...)");
    }
}
