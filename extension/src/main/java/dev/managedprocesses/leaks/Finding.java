package dev.managedprocesses.leaks;

import java.util.List;

/**
 * Processes one test or class fixture (or, under parallel execution, one of several candidates) left running.
 * An ambiguous finding fails no single test in fail mode: it fails the run, naming every candidate.
 *
 * @param tests the candidates: the tests running when the processes started, and the classes (or other
 *     containers) then in a fixture phase of their own; one means exact
 * @param processes the leaked processes, a tree in depth-first order
 * @param action what was done about it
 */
public record Finding(List<TestRef> tests, List<LeakedProcess> processes, String action) {

    /**
     * Whether more than one test or class fixture could have started the processes (parallel execution).
     *
     * @return true when there are several candidates
     */
    public boolean ambiguous() {
        return tests.size() > 1;
    }

    /**
     * The report's wording for how sure the attribution is.
     *
     * @return {@code exact} for one candidate, {@code ambiguous} for several
     */
    public String confidence() {
        return ambiguous() ? "ambiguous" : "exact";
    }

    /** True when {@code test} is (one of) the culprit(s). */
    boolean names(String uniqueId) {
        return tests.stream().anyMatch(t -> t.uniqueId().equals(uniqueId));
    }

    /** True when a test (the leaking one, in its own lifecycle) or the leak check engine was failed for it. */
    boolean failedSomething() {
        return action.contains(TEST_FAILED) || action.contains(CHECK_FAILED);
    }

    Finding withAction(String newAction) {
        return new Finding(tests, processes, newAction);
    }

    /** Appended to the action when the leaking test itself was failed for the finding. */
    static final String TEST_FAILED = "test failed";
    /** Appended to the action when the leak check engine reported a failed test for it. */
    static final String CHECK_FAILED = "failed by the leak check";

    /**
     * A test or container: its unique id, a readable name ({@code Class > method()}), and where it is
     * declared ({@code com.example.FooTest#method}, {@code com.example.FooTest}, or empty when unknown).
     *
     * @param uniqueId its JUnit unique id
     * @param displayName its display name, with those of its enclosing containers
     * @param source its class and method, for people to find it
     */
    public record TestRef(String uniqueId, String displayName, String source) {

        /** How a message names it: where it is declared (class and method) and, if that says more, its display name. */
        String named() {
            return source.isEmpty() ? displayName : source + " (" + displayName + ")";
        }

        /** True when it ran on the JUnit Vintage engine (JUnit 3 and 4 tests). */
        boolean vintage() {
            return uniqueId.startsWith("[engine:junit-vintage]");
        }
    }

    /**
     * One leaked process.
     *
     * @param pid process id
     * @param ppid parent process id when it was found
     * @param startTime start time in clock ticks since boot: with the pid, it tells this process from a later one
     *     that gets the same pid
     * @param state the kernel's one-letter state ({@code R}, {@code S}, {@code D}, {@code T}, ...)
     * @param ageMillis how long it had been running when it was found, in milliseconds
     * @param uid the real user id, or -1 when it could not be read
     * @param user the user name of {@code uid}, or the number when it has none
     * @param commandLine the command line, arguments joined by spaces ({@code [comm]} when it cannot be read)
     * @param depth 0 for a root of the tree, 1 for its children...
     * @param holdsTestOutput true when it holds the test JVM's stdout/stderr: the build will hang on it
     */
    public record LeakedProcess(long pid, long ppid, long startTime, char state, long ageMillis, int uid, String user,
            String commandLine, int depth, boolean holdsTestOutput) {
    }
}
