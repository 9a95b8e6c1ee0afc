package dev.managedprocesses.internal.os;

/**
 * A freshly spawned child.
 *
 * @param pid its pid (also its process group id)
 * @param stdinFd write end of its stdin pipe (blocking), or -1
 * @param stdoutFd read end of its stdout pipe (non-blocking), or -1
 * @param stderrFd read end of its stderr pipe (non-blocking), or -1
 */
public record Spawned(long pid, int stdinFd, int stdoutFd, int stderrFd) {
}
