package dev.managedprocesses.internal.os;

/**
 * The fields of one {@code /proc/<pid>/stat} line this library needs (on the portable platform, what
 * {@code ProcessHandle} shows of them; its state is {@code '?'}: a zombie cannot be told from a running process).
 *
 * @param pid pid
 * @param comm the executable's short name
 * @param state one-letter state
 * @param ppid parent pid
 * @param pgid process group; 0 where the platform cannot tell (portable)
 * @param sid session; 0 where the platform cannot tell (portable)
 * @param startTime start time in the platform's units: Linux clock ticks since boot, or on the portable
 *     platform ticks since the epoch (milliseconds; 10 ms on Linux), 0 when unreadable
 */
public record ProcStat(long pid, String comm, char state, long ppid, long pgid, long sid, long startTime) {

    /** Zombies and dead entries run nothing: for every "is it still there" question they are gone. */
    public boolean isGone() {
        return state == 'Z' || state == 'X';
    }

    public boolean isZombie() {
        return state == 'Z';
    }
}
