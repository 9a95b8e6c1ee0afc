package dev.managedprocesses.internal.os;

/**
 * Level-triggered readiness for many descriptors, woken by the kernel (epoll on Linux, kqueue on
 * macOS). Used by a single thread; {@link #add}, {@link #remove} and {@link #wakeup} may be called
 * from any thread.
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

    /** Stops watching {@code fd}. Call before closing it. */
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
