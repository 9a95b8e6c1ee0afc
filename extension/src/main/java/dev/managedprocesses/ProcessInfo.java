package dev.managedprocesses;

/**
 * One process as seen in a snapshot of the process table.
 *
 * @param pid process id
 * @param ppid parent process id
 * @param pgid process group id
 * @param sid session id
 * @param state the kernel's one-letter state ({@code R}, {@code S}, {@code D}, {@code T}, {@code Z}, ...;
 *     {@code ?} on the portable platform, which cannot read it)
 * @param startTime start time in the platform's units (see {@link ProcessIdentity#startTime()})
 * @param uid the real user id, or -1 when it could not be read (always, on the portable platform)
 * @param commandLine the command line, arguments joined by spaces ({@code [comm]} for kernel threads and zombies)
 */
public record ProcessInfo(long pid, long ppid, long pgid, long sid, char state, long startTime, int uid,
        String commandLine) {

    /**
     * False for zombies ({@code Z}) and dead entries ({@code X}): they run nothing and hold no resources.
     *
     * @return whether the process was running (or stopped, or sleeping) when the snapshot was taken
     */
    public boolean isAlive() {
        return state != 'Z' && state != 'X';
    }

    @Override
    public String toString() {
        return "pid " + pid + " [" + state + "] " + commandLine;
    }
}
