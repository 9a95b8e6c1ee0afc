package dev.managedprocesses.internal.os;

/** What became of a signal the OS layer was asked to send. */
public enum SignalResult {
    /** Delivered (or queued). */
    DELIVERED,
    /** No such process (already reaped, or never existed). */
    NO_SUCH_PROCESS,
    /** Not permitted (another user's process). */
    NOT_PERMITTED
}
