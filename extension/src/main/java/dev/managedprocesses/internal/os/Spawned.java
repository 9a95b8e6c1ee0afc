package dev.managedprocesses.internal.os;

/**
 * A freshly spawned child.
 *
 * @param pid its pid (also its process group id)
 * @param stdinFd write end of its stdin pipe (blocking), or -1
 * @param stdoutFd read end of its stdout pipe (non-blocking), or -1
 * @param stderrFd read end of its stderr pipe (non-blocking), or -1
 * @param startTime its start time in clock ticks since boot, as {@code /proc/PID/stat} gives it, where the spawn
 *     could tell it without reading {@code /proc}; -1 when it could not (then read it there: the child is
 *     unreaped, so its pid is still its own)
 */
public record Spawned(long pid, int stdinFd, int stdoutFd, int stderrFd, long startTime) {
}
