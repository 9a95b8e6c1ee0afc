package dev.managedprocesses.internal.os;

/**
 * Starts processes. The child always leads a new process group (of a new session, when asked), starts
 * with an empty signal mask and default signal dispositions, and gets only descriptors 0, 1 and 2:
 * every descriptor the JVM keeps is close-on-exec.
 */
public interface Spawner {

    /** Spawns a child into its own process group; see {@link SpawnRequest}. */
    Spawned spawn(SpawnRequest request) throws SpawnException;
}
