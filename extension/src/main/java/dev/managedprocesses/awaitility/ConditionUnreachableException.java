package dev.managedprocesses.awaitility;

import dev.managedprocesses.ManagedProcessException;

/**
 * Thrown by a {@link ProcessCondition} that can no longer become true: the output it waits on has
 * ended without the line, or the process and all its descendants have ended without opening the port.
 * Awaitility passes it on at once, so the wait fails now, with the reason, instead of at its timeout
 * (unless the {@code await()} ignores exceptions).
 */
public class ConditionUnreachableException extends ManagedProcessException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception whose message says why the condition can never hold.
     *
     * @param message what ended, without what, and what was last seen
     */
    public ConditionUnreachableException(String message) {
        super(message);
    }
}
