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

    /** True when more than one test or class fixture could have started the processes (parallel execution). */
    public boolean ambiguous() {
        return tests.size() > 1;
    }

    public String confidence() {
        return ambiguous() ? "ambiguous" : "exact";
    }

    /** True when {@code test} is (one of) the culprit(s). */
    boolean names(String uniqueId) {
        return tests.stream().anyMatch(t -> t.uniqueId().equals(uniqueId));
    }

    Finding withAction(String newAction) {
        return new Finding(tests, processes, newAction);
    }

    /** A test or container, by unique id and a readable name ({@code Class > method()}). */
    public record TestRef(String uniqueId, String displayName) {
    }

    /**
     * One leaked process.
     *
     * @param depth 0 for a root of the tree, 1 for its children...
     * @param holdsTestOutput true when it holds the test JVM's stdout/stderr: the build will hang on it
     */
    public record LeakedProcess(long pid, long ppid, long startTime, char state, long ageMillis, int uid, String user,
            String commandLine, int depth, boolean holdsTestOutput) {
    }
}
