package dev.managedprocesses.assertj;

import static dev.managedprocesses.assertj.error.ShouldBeAlive.shouldBeAlive;
import static dev.managedprocesses.assertj.error.ShouldBeProcessGroupLeader.shouldBeProcessGroupLeader;
import static dev.managedprocesses.assertj.error.ShouldHaveBeenKilledBy.shouldHaveBeenKilledBy;
import static dev.managedprocesses.assertj.error.ShouldHaveDescendantsMatching.shouldHaveDescendantsMatching;
import static dev.managedprocesses.assertj.error.ShouldHaveExitedNormally.shouldHaveExitedNormally;
import static dev.managedprocesses.assertj.error.ShouldHaveExitedWith.shouldHaveExitedWith;
import static dev.managedprocesses.assertj.error.ShouldHaveExitedWithin.shouldHaveExitedWithin;
import static dev.managedprocesses.assertj.error.ShouldHaveNoLiveDescendants.shouldHaveNoLiveDescendants;
import static dev.managedprocesses.assertj.error.ShouldNotBeAlive.shouldNotBeAlive;
import static dev.managedprocesses.assertj.error.ShouldNotBeReused.shouldNotBeReused;

import dev.managedprocesses.internal.assertj.ProcessFacts;
import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessOutput;
import dev.managedprocesses.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.AssertFactory;
import org.assertj.core.api.ListAssert;
import org.assertj.core.api.StringAssert;

/**
 * Assertions on a {@link ManagedProcess}: its lifecycle, its identity, its process group, its
 * descendants and its captured output. Get one with {@link ProcessAssertions#assertThat(ManagedProcess)}.
 *
 * <pre>{@code
 * assertThat(server).isAlive().isProcessGroupLeader();
 * assertThat(cli).exitedWithin(Duration.ofSeconds(10)).exitedWith(2);
 * assertThat(cli).stderr().contains("usage:");
 * }</pre>
 *
 * <p>Every assertion reads the process's state once, when it runs; none of them waits except
 * {@link #exitedWithin(Duration)}. To wait for a state, wrap the assertion in Awaitility's
 * {@code await().untilAsserted(() -> assertThat(p).hasNoLiveDescendants())}. A failure explains
 * itself: besides what was expected, the message carries the process's identity, how it ended and
 * who ended it, the last lines of its stderr and its live descendants.
 *
 * <p>A process adopted by pid or {@code ProcessHandle} ({@code scope.adopt(pid)}) ends without an
 * exit status: only its parent can read it. Whether it runs is the handle's identity-verified
 * {@link ManagedProcess#isAlive()}, so {@link #isNotAlive()}, {@link #notReused()} and
 * {@link #exitedWithin(Duration)} hold for it once it has ended, while {@link #exitedWith(int)},
 * {@link #exitedNormally()} and {@link #wasKilledBy(Signal)} fail, saying that the status is unknown
 * (adopt the JDK {@code Process} to keep it).
 *
 * <p>Self-typed, as AssertJ's own abstract asserts are: extend it to add assertions of your own and keep
 * chaining ({@code class MyAssert extends AbstractManagedProcessAssert<MyAssert, ManagedProcess>}). The concrete
 * {@link ManagedProcessAssert} is what {@link ProcessAssertions#assertThat} returns.
 *
 * @param <SELF> the type of the concrete assert, returned by every assertion for chaining
 * @param <ACTUAL> the type of the value under test
 */
public abstract class AbstractManagedProcessAssert<SELF extends AbstractManagedProcessAssert<SELF, ACTUAL>, ACTUAL extends ManagedProcess>
        extends AbstractAssert<SELF, ACTUAL> {

    /**
     * For subclasses: {@code selfType} is the concrete assert's class, as AssertJ's {@code AbstractAssert} wants it.
     *
     * @param actual the value to check, may be {@code null} (every assertion then fails)
     * @param selfType the class of the concrete assert
     */
    protected AbstractManagedProcessAssert(ACTUAL actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /**
     * Verifies that the process is running. A stopped ({@code SIGSTOP}) process is alive; a zombie
     * (exited, not yet reaped) is not.
     *
     * <pre>{@code
     * // passes
     * assertThat(scope.start("sleep", "100")).isAlive();
     *
     * // fails: "but it exited 3", with the facts
     * ManagedProcess cli = scope.start("sh", "-c", "exit 3");
     * cli.waitFor();
     * assertThat(cli).isAlive();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF isAlive() {
        isNotNull();
        if (!actual.isAlive()) {
            throwAssertionError(shouldBeAlive(actual));
        }
        return myself;
    }

    /**
     * Verifies that the process is no longer running: it exited or was killed. A zombie counts as
     * not alive, and its exit status can still be asserted.
     *
     * <pre>{@code
     * // passes, also for a group leader held as a zombie while its group lives on
     * ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & exit 5");
     * sh.waitFor();
     * assertThat(sh).isNotAlive().exitedWith(5);
     *
     * // fails: "but it is still running"
     * assertThat(scope.start("sleep", "100")).isNotAlive();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF isNotAlive() {
        isNotNull();
        if (actual.isAlive()) {
            throwAssertionError(shouldNotBeAlive(actual));
        }
        return myself;
    }

    /**
     * Verifies that the process exited by itself with {@code code}. A process killed by a signal did
     * not exit with a code, whatever the shell would print for it (143 for SIGTERM): assert that with
     * {@link #wasKilledBy(Signal)}. Does not wait: use {@link #exitedWithin(Duration)} first.
     *
     * <pre>{@code
     * ManagedProcess cli = scope.start("sh", "-c", "exit 2");
     * // passes
     * assertThat(cli).exitedWithin(Duration.ofSeconds(10)).exitedWith(2);
     * // fails: "to have exited with code 0 / but it exited 2"
     * assertThat(cli).exitedWith(0);
     * }</pre>
     *
     * @param code the expected exit code, 0-255
     * @return {@code this} assertion object
     * @throws IllegalArgumentException if {@code code} is not 0-255
     */
    public SELF exitedWith(int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("An exit code is 0-255 but the expected code was " + code
                    + ": to assert a death by signal use wasKilledBy(Signal)");
        }
        isNotNull();
        Optional<ExitStatus> status = ProcessFacts.settledStatus(actual);
        if (status.isEmpty() || !status.get().exited() || status.get().code() != code) {
            throwAssertionError(shouldHaveExitedWith(actual, code));
        }
        return myself;
    }

    /**
     * Verifies that the process exited by itself with code 0. Does not wait: use
     * {@link #exitedWithin(Duration)} first.
     *
     * <pre>{@code
     * // passes
     * assertThat(scope.start("true")).exitedWithin(Duration.ofSeconds(10)).exitedNormally();
     * // fails: "but it exited 1"
     * assertThat(scope.start("false")).exitedWithin(Duration.ofSeconds(10)).exitedNormally();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF exitedNormally() {
        isNotNull();
        Optional<ExitStatus> status = ProcessFacts.settledStatus(actual);
        if (status.isEmpty() || !status.get().exited() || !status.get().isSuccess()) {
            throwAssertionError(shouldHaveExitedNormally(actual));
        }
        return myself;
    }

    /**
     * Verifies that the process died of {@code signal}, whoever sent it. The message says who did:
     * the process's own code, {@code signal()}, {@code terminate()} or the scope's teardown, the
     * SIGKILL escalation.
     *
     * <pre>{@code
     * ManagedProcess worker = scope.start("sleep", "100");
     * worker.terminate();
     * // passes
     * assertThat(worker).wasKilledBy(Signal.TERM);
     * // fails: "to have been killed by SIGKILL / but it was killed by SIGTERM"
     * assertThat(worker).wasKilledBy(Signal.KILL);
     * }</pre>
     *
     * @param signal the expected signal
     * @return {@code this} assertion object
     */
    public SELF wasKilledBy(Signal signal) {
        Objects.requireNonNull(signal, "signal must not be null");
        isNotNull();
        Optional<ExitStatus> status = ProcessFacts.settledStatus(actual);
        if (status.isEmpty() || !status.get().killed() || status.get().signalNumber() != signal.number()) {
            throwAssertionError(shouldHaveBeenKilledBy(actual, signal));
        }
        return myself;
    }

    /**
     * Verifies that the handle is not fooled by pid reuse: either its pid still names this very
     * process (same start time, same boot), or the process is gone and the handle says so (not
     * alive, no {@link ProcessHandle} to hand out), even when the kernel has given the pid to a
     * stranger meanwhile. An exit status is not required: a process adopted by pid or
     * {@code ProcessHandle} ends without one. Handles from a {@code ProcessScope} always pass: they
     * hold the child unreaped or a pidfd, never just a number.
     *
     * <pre>{@code
     * ManagedProcess original = scope.start("true");
     * original.waitFor();
     * // ... the pid is recycled for an unrelated process ...
     * // passes: the handle knows its process exited
     * assertThat(original).notReused().isNotAlive();
     * // (ProcessHandle.of(original.pid()).isPresent() is true here: a bare pid is fooled)
     *
     * // fails for a handle that only remembers the pid and asks the kernel "is pid N alive?":
     * // "but pid 4242 now belongs to pid 4242 (started at tick 9811): sleep 300, yet the handle says it is alive"
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF notReused() {
        isNotNull();
        ProcessIdentity identity = actual.identity();
        // Who holds the pid is read first: if it is this process the assertion holds, however the
        // process fares afterwards; if not, this process is gone for good, and the handle must know.
        Optional<ProcessIdentity> holder = ProcessIdentity.of(identity.pid());
        if (holder.isPresent() && holder.get().equals(identity)) {
            return myself;
        }
        // An exit status is not required: a process adopted by pid or ProcessHandle ends without one.
        List<String> confusions = new ArrayList<>();
        if (actual.isAlive()) {
            confusions.add("says it is alive");
        }
        if (actual.toHandle().isPresent()) {
            confusions.add("hands out a ProcessHandle for pid " + identity.pid());
        }
        if (!confusions.isEmpty()) {
            String now = holder.map(h -> "pid " + identity.pid() + " now belongs to " + ProcessFacts.describe(h))
                    .orElse("no live process holds pid " + identity.pid());
            throwAssertionError(shouldNotBeReused(actual, now + ", yet the handle " + String.join(" and ", confusions)));
        }
        return myself;
    }

    /**
     * Verifies that the process leads a process group of its own, so that the library's group
     * signals ({@code terminate()}, teardown) reach everything it forked. Both the handle and, while
     * the pid still names this process, the kernel must agree: a process that moved itself into
     * another group ({@code setpgid}) fails.
     *
     * <pre>{@code
     * // passes: every process a scope starts leads its own group
     * assertThat(scope.start("sleep", "100")).isProcessGroupLeader();
     *
     * // fails: "but the kernel has it in process group 4242"
     * ManagedProcess mover = scope.start("python3", "-c",
     *         "import os, time; os.setpgid(0, 4242); time.sleep(100)");
     * assertThat(mover).isProcessGroupLeader();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF isProcessGroupLeader() {
        isNotNull();
        // The handle asks the kernel, and only while the pid still names this very process.
        if (!actual.isProcessGroupLeader()) {
            long group = actual.processGroup();
            throwAssertionError(shouldBeProcessGroupLeader(actual, group > 0 && group != actual.pid()
                    ? "the kernel has it in process group " + group
                    : "it no longer runs, so it leads no group"));
        }
        return myself;
    }

    /**
     * Verifies that nothing the process started still runs: no live child, grandchild, or member of
     * its process group. Zombies do not count. The check is a snapshot; after {@code terminate()} it
     * holds at once, for a process that ends by itself wait with Awaitility.
     *
     * <pre>{@code
     * ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & wait");
     * sh.terminate();
     * // passes
     * assertThat(sh).hasNoLiveDescendants();
     *
     * // fails: "but it has 1 (listed below)" ... "pid 4243: sleep 100"
     * assertThat(scope.start("sh", "-c", "sleep 100 & wait")).hasNoLiveDescendants();
     * }</pre>
     *
     * @return {@code this} assertion object
     */
    public SELF hasNoLiveDescendants() {
        isNotNull();
        List<ProcessInfo> descendants = ProcessFacts.liveDescendants(actual);
        if (!descendants.isEmpty()) {
            throwAssertionError(shouldHaveNoLiveDescendants(actual, descendants));
        }
        return myself;
    }

    /**
     * Verifies that at least one live descendant (child, grandchild or group member) matches
     * {@code predicate}, described as {@code description} in the failure message. A freshly forked
     * child may not have run {@code exec} yet: wait for it with Awaitility's {@code untilAsserted}.
     *
     * <pre>{@code
     * ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & wait");
     * // passes (once the child has exec'd)
     * await().untilAsserted(() -> assertThat(sh)
     *         .hasDescendantsMatching(d -> d.commandLine().equals("sleep 100"), "command line \"sleep 100\""));
     * // fails: "to have a live descendant matching <command line "sleep 200"> / but none of its 1 live descendants matches"
     * assertThat(sh).hasDescendantsMatching(d -> d.commandLine().equals("sleep 200"), "command line \"sleep 200\"");
     * }</pre>
     *
     * @param predicate what a descendant must satisfy
     * @param description how the message names the predicate
     * @return {@code this} assertion object
     */
    public SELF hasDescendantsMatching(Predicate<? super ProcessInfo> predicate, String description) {
        Objects.requireNonNull(predicate, "predicate must not be null");
        Objects.requireNonNull(description, "description must not be null");
        isNotNull();
        List<ProcessInfo> descendants = ProcessFacts.liveDescendants(actual);
        if (descendants.stream().noneMatch(predicate)) {
            throwAssertionError(shouldHaveDescendantsMatching(actual, descendants, description));
        }
        return myself;
    }

    /**
     * Verifies that at least one live descendant's command line contains a match of {@code commandLine}
     * (searched with {@link java.util.regex.Matcher#find()}).
     *
     * <pre>{@code
     * ManagedProcess sh = scope.start("sh", "-c", "sleep 100 & wait");
     * // passes (once the child has exec'd)
     * await().untilAsserted(() -> assertThat(sh).hasDescendantsMatching(Pattern.compile("^sleep 100$")));
     * // fails: "to have a live descendant matching <command line matching /^python3/>"
     * assertThat(sh).hasDescendantsMatching(Pattern.compile("^python3"));
     * }</pre>
     *
     * @param commandLine a pattern for the descendant's command line (arguments joined by spaces)
     * @return {@code this} assertion object
     */
    public SELF hasDescendantsMatching(Pattern commandLine) {
        Objects.requireNonNull(commandLine, "commandLine must not be null");
        return hasDescendantsMatching(d -> commandLine.matcher(d.commandLine()).find(),
                "command line matching /" + commandLine.pattern() + "/");
    }

    /**
     * Waits up to {@code timeout} for the process to end (exit or die of a signal), and fails if it
     * is still running then. The wait is woken by the exit itself, not by polling. A process adopted by
     * pid or {@code ProcessHandle} passes once it has ended, though its exit status is unknown. Chain
     * the outcome:
     *
     * <pre>{@code
     * // passes
     * assertThat(scope.start("sh", "-c", "exit 2")).exitedWithin(Duration.ofSeconds(10)).exitedWith(2);
     * // fails after 100 ms: "to exit within 100 ms / but it was still running after 100 ms"
     * assertThat(scope.start("sleep", "100")).exitedWithin(Duration.ofMillis(100));
     * }</pre>
     *
     * @param timeout how long to wait at most
     * @return {@code this} assertion object
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public SELF exitedWithin(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative but was " + timeout);
        }
        isNotNull();
        boolean interrupted = false;
        boolean ended;
        try {
            ended = actual.waitFor(timeout).isPresent();
        } catch (IllegalStateException statusUnknown) {
            // Adopted by pid or ProcessHandle: waitFor returns, by throwing, when it has ended.
            if (actual.isAlive()) {
                throw statusUnknown;
            }
            ended = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted = true;
            ended = actual.exitStatus().isPresent() || !actual.isAlive();
        }
        if (!ended) {
            throwAssertionError(shouldHaveExitedWithin(actual, timeout, interrupted));
        }
        return myself;
    }

    /**
     * Navigates to AssertJ's string assertions on everything the process wrote to stdout so far
     * (retained lines joined with {@code \n}). Output arrives asynchronously: for a process that is
     * still running, await the line first ({@code stdout().awaitLine(...)} or Awaitility).
     *
     * <pre>{@code
     * ManagedProcess p = scope.start("echo", "hello");
     * p.waitFor();
     * // passes
     * assertThat(p).stdout().isEqualTo("hello\n");
     * // fails: "[stdout of pid 4242 (echo hello)] Expecting actual: "hello\n" to contain: "bye""
     * assertThat(p).stdout().contains("bye");
     * }</pre>
     *
     * @return string assertions described as {@code stdout of pid N (command)}
     * @throws IllegalStateException if stdout is not captured (redirected, discarded or inherited)
     */
    public AbstractStringAssert<?> stdout() {
        isNotNull();
        ProcessOutput out = captured(actual.stdout());
        return text(out);
    }

    /**
     * Like {@link #stdout()}, for stderr.
     *
     * <pre>{@code
     * ManagedProcess cli = scope.start("sh", "-c", "echo 'usage: tool FILE' >&2; exit 2");
     * cli.waitFor();
     * // passes
     * assertThat(cli).stderr().startsWith("usage:");
     * // fails: "[stderr of pid 4242 (...)] Expecting actual: "usage: tool FILE\n" to be empty"
     * assertThat(cli).stderr().isEmpty();
     * }</pre>
     *
     * @return string assertions described as {@code stderr of pid N (command)}
     * @throws IllegalStateException if stderr is not captured
     */
    public AbstractStringAssert<?> stderr() {
        isNotNull();
        ProcessOutput err = captured(actual.stderr());
        return text(err);
    }

    /**
     * Navigates to AssertJ's list assertions on the lines the process wrote to stdout so far (an
     * unterminated last line included).
     *
     * <pre>{@code
     * ManagedProcess p = scope.start("sh", "-c", "echo one; echo two");
     * p.waitFor();
     * // passes
     * assertThat(p).stdoutLines().containsExactly("one", "two");
     * // fails: "[stdout of pid 4242 (...)] Expecting actual: ["one", "two"] to contain: ["three"]"
     * assertThat(p).stdoutLines().contains("three");
     * }</pre>
     *
     * @return list assertions described as {@code stdout of pid N (command)}
     * @throws IllegalStateException if stdout is not captured
     */
    public ListAssert<String> stdoutLines() {
        isNotNull();
        ProcessOutput out = captured(actual.stdout());
        return lines(out);
    }

    /**
     * Like {@link #stdoutLines()}, for stderr.
     *
     * <pre>{@code
     * ManagedProcess cli = scope.start("sh", "-c", "echo oops >&2; exit 1");
     * cli.waitFor();
     * // passes
     * assertThat(cli).stderrLines().containsExactly("oops");
     * // fails: "Expecting empty but was: ["oops"]"
     * assertThat(cli).stderrLines().isEmpty();
     * }</pre>
     *
     * @return list assertions described as {@code stderr of pid N (command)}
     * @throws IllegalStateException if stderr is not captured
     */
    public ListAssert<String> stderrLines() {
        isNotNull();
        ProcessOutput err = captured(actual.stderr());
        return lines(err);
    }

    /**
     * Extracts a value from the process and continues with assertions from {@code assertFactory} on
     * it, keeping this assertion's description and settings. Public (AssertJ has it protected) so
     * that navigation works inside soft assertions: AssertJ proxies the assertion object it returns.
     *
     * <pre>{@code
     * // passes
     * assertThat(p).extracting(ManagedProcess::pid, InstanceOfAssertFactories.LONG).isPositive();
     * // fails: "Expecting actual: 4242L to be less than: 0L"
     * assertThat(p).extracting(ManagedProcess::pid, InstanceOfAssertFactories.LONG).isNegative();
     * }</pre>
     */
    @Override
    public <T, ASSERT extends AbstractAssert<?, ?>> ASSERT extracting(Function<? super ACTUAL, ? extends T> extractor,
            AssertFactory<T, ASSERT> assertFactory) {
        return super.extracting(extractor, assertFactory);
    }

    private AbstractStringAssert<?> text(ProcessOutput output) {
        // extracting(...) is what soft assertions intercept, so this navigation is soft too.
        StringAssert text = extracting(p -> output.text(), (String t) -> new StringAssert(t));
        return text.as(describe(output));
    }

    private ListAssert<String> lines(ProcessOutput output) {
        ListAssert<String> lines = extracting(p -> output.lines(), (List<String> l) -> new ListAssert<>(l));
        return lines.as(describe(output));
    }

    private String describe(ProcessOutput output) {
        return info.hasDescription() ? info.descriptionText() + ": " + output : output.toString();
    }

    private static ProcessOutput captured(ProcessOutput output) {
        if (!output.isCaptured()) {
            // A usage error, not an assertion failure: an uncaptured stream would read as empty and
            // make assertions about it pass for the wrong reason.
            throw new IllegalStateException("Cannot assert on " + output + ": it is not captured. "
                    + "Leave it as a pipe (the default) to assert on it");
        }
        return output;
    }
}
