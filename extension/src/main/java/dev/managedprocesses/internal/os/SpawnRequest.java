package dev.managedprocesses.internal.os;

import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * What to spawn. The child always leads a new process group (of a new session, when asked), starts
 * with an empty signal mask and default signal dispositions, and gets only descriptors 0, 1 and 2.
 *
 * @param executable absolute path of the program (already resolved and checked)
 * @param arguments argv, argv[0] included
 * @param environment the complete environment as {@code KEY=value} entries
 * @param directory working directory (absolute), or null for the JVM's
 * @param stdin what fd 0 is
 * @param stdout what fd 1 is
 * @param stderr what fd 2 is
 * @param newSession start a new session ({@code setsid}) rather than only a new process group: signals
 *     sent to the JVM's group or session (a terminal's Ctrl-C, a build tool killing its children's
 *     group) do not reach the child
 * @param container where the child lives and dies with everything it forks (see {@link Containment}), or null
 * @param marker an inheritable marker for the child ({@link ProcessControl#mark}), or 0
 * @param marked called with the child's pid once its marker is set and before it is placed in its container
 *     (which can take milliseconds: a cgroup migration waits for a grace period), so that what it forked
 *     before its marker can be looked for while its parent chain is still intact; or null
 */
public record SpawnRequest(String executable, List<String> arguments, List<String> environment, String directory,
        Stdio stdin, Stdio stdout, Stdio stderr, boolean newSession, Container container, long marker,
        LongConsumer marked) {

    public SpawnRequest {
        Objects.requireNonNull(executable);
        arguments = List.copyOf(arguments);
        environment = List.copyOf(environment);
        Objects.requireNonNull(stdin);
        Objects.requireNonNull(stdout);
        Objects.requireNonNull(stderr);
    }

    /** A child that leads a new process group in the JVM's session. */
    public SpawnRequest(String executable, List<String> arguments, List<String> environment, String directory,
            Stdio stdin, Stdio stdout, Stdio stderr) {
        this(executable, arguments, environment, directory, stdin, stdout, stderr, false, null, 0, null);
    }

    /** A child that leads a new process group (or session), in no container, unmarked. */
    public SpawnRequest(String executable, List<String> arguments, List<String> environment, String directory,
            Stdio stdin, Stdio stdout, Stdio stderr, boolean newSession) {
        this(executable, arguments, environment, directory, stdin, stdout, stderr, newSession, null, 0, null);
    }

    /**
     * The same child, started in {@code container} (from its first instruction where the platform can, else
     * moved in right after the spawn, before anything else happens to it) and carrying {@code marker}
     * ({@link ProcessControl#mark}, 0 for none), set right after the spawn; {@code marked} (or null) is called
     * in between (see the record's parameters).
     */
    public SpawnRequest contained(Container container, long marker, LongConsumer marked) {
        return new SpawnRequest(executable, arguments, environment, directory, stdin, stdout, stderr, newSession,
                container, marker, marked);
    }

    /**
     * One standard stream of the child.
     *
     * @param kind what it is connected to
     * @param path the file for {@link Kind#READ_FILE}, {@link Kind#WRITE_FILE}, {@link Kind#APPEND_FILE}
     */
    public record Stdio(Kind kind, String path) {
        public static final Stdio PIPE = new Stdio(Kind.PIPE, null);
        public static final Stdio INHERIT = new Stdio(Kind.INHERIT, null);
        public static final Stdio DISCARD = new Stdio(Kind.DISCARD, null);
        /** Only for stderr: the same as stdout. */
        public static final Stdio SAME_AS_STDOUT = new Stdio(Kind.SAME_AS_STDOUT, null);

        public enum Kind { PIPE, INHERIT, DISCARD, READ_FILE, WRITE_FILE, APPEND_FILE, SAME_AS_STDOUT }
    }
}
