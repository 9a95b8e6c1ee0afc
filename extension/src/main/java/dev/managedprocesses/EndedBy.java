package dev.managedprocesses;

/** What ended a process, as far as this library can tell. */
public enum EndedBy {
    /** It exited (or died) without any signal from this library. */
    ITSELF,
    /** It ended after the caller sent it a signal with {@link ManagedProcess#signal(Signal)}. */
    SIGNAL,
    /** It ended after the SIGTERM of {@link ManagedProcess#terminate()} or a scope's teardown. */
    SIGTERM,
    /** It ended after SIGKILL: {@link ManagedProcess#kill()} or the escalation after the grace period. */
    SIGKILL
}
