package dev.managedprocesses;

import java.util.List;

/**
 * Processes survived SIGKILL (uninterruptible sleep, another user's process, a process outside our
 * control). The message names each survivor's pid, state and command line as a tree; nothing else
 * was signalled.
 */
public class SurvivorsException extends ManagedProcessException {
    private static final long serialVersionUID = 1L;
    private final transient List<ProcessInfo> survivors;

    public SurvivorsException(String message, List<ProcessInfo> survivors) {
        super(message);
        this.survivors = List.copyOf(survivors);
    }

    /** The processes that were still alive after SIGKILL and the wait that followed it. */
    public List<ProcessInfo> survivors() {
        return survivors;
    }
}
