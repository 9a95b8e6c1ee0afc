package dev.managedprocesses.internal.os;

/**
 * The fields of one {@code /proc/<pid>/stat} line this library needs.
 *
 * @param pid pid
 * @param comm the executable's short name
 * @param state one-letter state
 * @param ppid parent pid
 * @param pgid process group
 * @param sid session
 * @param startTime start time in clock ticks since boot
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
