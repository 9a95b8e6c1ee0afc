package dev.managedprocesses;

/** What ended a process, as far as this library can tell. */
public enum EndedBy {
    /** It exited (or died) without any signal from this library. */
    ITSELF,
    /**
     * It ended after the caller sent a signal other than SIGKILL with {@link ManagedProcess#signal(Signal)}
     * or {@link ManagedProcess#signalGroup(Signal)}.
     */
    SIGNAL,
    /** It ended after the SIGTERM of {@link ManagedProcess#terminate()} or a scope's teardown. */
    SIGTERM,
    /**
     * It ended after SIGKILL: {@link ManagedProcess#kill()}, the escalation after the grace period, or a
     * {@link Signal#KILL} the caller sent itself.
     */
    SIGKILL
}
