package dev.managedprocesses.internal.os;

/**
 * Readiness for many descriptors, woken by the kernel (epoll on Linux, kqueue on macOS): level-triggered,
 * or edge-triggered where asked for and the poller can. Used by a single thread; {@link #add},
 * {@link #addEdge}, {@link #remove} and {@link #wakeup} may be called from any thread.
 */
public interface Poller extends AutoCloseable {

    /** Watches {@code fd} for readability (or hang-up); {@code token} comes back from {@link #await}. */
    void add(int fd, long token);

    /**
     * Watches {@code fd} for an exceptional condition (POLLPRI): a kernel file that signals changes that way,
     * such as a cgroup's {@code cgroup.events}. {@code token} comes back from {@link #await}.
     */
    default void addPriority(int fd, long token) {
        throw new UnsupportedOperationException("this poller watches readability only");
    }

    /** Whether this poller can watch a descriptor edge-triggered ({@link #addEdge}). */
    default boolean edgeTriggered() {
        return false;
    }

    /**
     * Watches {@code fd} for readability (or hang-up), reported once per change rather than for as long as it
     * lasts (edge-triggered): the caller must read until the descriptor has nothing more (a read that would block,
     * or the end of file), and need not {@link #remove} it once its last change has come (a pipe's end of file, a
     * pidfd's exit): closing it takes it out, and a later event for its token, if any, is for a watch that is over.
     * Only where {@link #edgeTriggered()} says so.
     */
    default void addEdge(int fd, long token) {
        throw new UnsupportedOperationException("this poller is level-triggered only");
    }

    /** Stops watching {@code fd}. Call before closing it (an edge-triggered one need not be, see {@link #addEdge}). */
    void remove(int fd);

    /**
     * Blocks until something is ready, {@link #wakeup()} is called, or the timeout passes.
     *
     * @param tokens receives the tokens of ready descriptors
     * @param timeoutMillis -1 to wait without limit
     * @return how many tokens were written
     */
    int await(long[] tokens, int timeoutMillis);

    /** Makes a blocked {@link #await} return. */
    void wakeup();

    @Override
    void close();
}
