package dev.managedprocesses.internal.os;

/**
 * Containment the kernel guarantees: a container holds the processes placed in it and everything they
 * fork, whatever they later do to their process group, session, environment or title, and can list them,
 * freeze them and kill them all at once. On Linux, cgroup v2 where this JVM may create cgroups; elsewhere,
 * or without permission, {@link #available()} is false and {@link #describe()} says why and what to do.
 */
public interface Containment {

    /** Whether containers can be created here; detected once, on first use. Never throws. */
    boolean available();

    /**
     * One line for the log, the leak report and the records: the mechanism in use when
     * {@link #available()}, else why containers are unavailable and what would make them available.
     */
    String describe();

    /**
     * Whether a spawned child is in its container from its first instruction (Linux: glibc 2.39+, clone3
     * {@code CLONE_INTO_CGROUP}); false where it is moved in after the spawn returns, and what it forks
     * before the move is born outside.
     */
    default boolean placesAtBirth() {
        return false;
    }

    /**
     * The processes in the container this JVM's children are born in (the JVM's own cgroup), the JVM itself
     * included: where a process forked in the moment before its parent's move into its own container would
     * still be, had the look after the move missed it. Empty where there are no containers; absent when it
     * cannot be read.
     */
    default java.util.Optional<java.util.Set<Long>> bornHere() {
        return java.util.Optional.of(java.util.Set.of());
    }

    /** A container for one scope (its processes get containers of their own below it). */
    Container create(String name) throws ContainerException;

    /**
     * What the crash-safety janitor kills after the JVM died: the one file whose write ends every container
     * of this JVM at once ({@code cgroup.kill} of the per-JVM cgroup), or null when there is none.
     */
    String crashKillFile();

    /**
     * At the JVM's normal exit, after its scopes closed: removes what detection created (this JVM's own
     * cgroup directory) if nothing is left in it. Does nothing when containment was never used.
     */
    default void release() {
    }

    /** No containment: {@code reason} says why and what to do. */
    static Containment unavailable(String reason) {
        return new Containment() {
            @Override
            public boolean available() {
                return false;
            }

            @Override
            public String describe() {
                return reason;
            }

            @Override
            public Container create(String name) throws ContainerException {
                throw new ContainerException(reason);
            }

            @Override
            public String crashKillFile() {
                return null;
            }
        };
    }
}
