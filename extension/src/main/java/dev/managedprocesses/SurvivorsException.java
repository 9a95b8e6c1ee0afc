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

    /**
     * An exception naming the processes that survived.
     *
     * @param message what was being ended, and the survivors as a tree
     * @param survivors the processes still alive, copied
     */
    public SurvivorsException(String message, List<ProcessInfo> survivors) {
        super(message);
        this.survivors = List.copyOf(survivors);
    }

    /**
     * The processes that were still alive after SIGKILL and the wait that followed it.
     *
     * @return the survivors as they were seen then, unmodifiable; {@code null} after deserialization (the
     *     list is not serialized: the message names them all the same)
     */
    public List<ProcessInfo> survivors() {
        return survivors;
    }
}
