package dev.managedprocesses.awaitility;

import java.util.Objects;
import java.util.concurrent.Callable;
import org.awaitility.core.ThrowingRunnable;

/**
 * A condition on a process that Awaitility can wait for, made by {@link ProcessConditions}. It is both
 * a {@code Callable<Boolean>} for {@code until(...)} and a {@code ThrowingRunnable} for
 * {@code untilAsserted(...)}:
 *
 * <pre>{@code
 * await().atMost(Duration.ofSeconds(10)).until(lineMatching(server.stdout(), "Serving HTTP"));
 * await().atMost(Duration.ofSeconds(10)).untilAsserted(portOpen(server, 8080));
 * }</pre>
 *
 * <p>Prefer {@code untilAsserted}: each evaluation that finds the condition unmet throws an
 * {@link AssertionError} saying what it saw instead, and Awaitility puts the last one into its
 * timeout message (and makes it the cause), for example
 * {@code Assertion condition expected a line of stdout of pid 4242 (...) matching /ready/, but there is
 * none yet; last lines: ... within 10 seconds.}
 *
 * <p>With {@code until}, a timeout cannot say what was last seen: Awaitility (4.x) builds the message
 * of {@code until(Callable)} from the callable's class name, never from its {@code toString()} or
 * its results, and offers no hook to add them. It reads
 * {@code Condition dev.managedprocesses.awaitility.ProcessCondition was not fulfilled within 10 seconds.};
 * an alias at least names what was awaited: {@code await(condition.toString()).until(condition)} gives
 * {@code Condition with alias 'a line of stdout of pid 4242 (...) matching /ready/' didn't complete within
 * 10 seconds because condition dev.managedprocesses.awaitility.ProcessCondition was not fulfilled.}
 *
 * <p>Either way, a condition that can no longer be met (the output ended, the process died) throws
 * {@link ConditionUnreachableException} and ends the wait at once. Awaitility's {@code ignoreExceptions()}
 * would swallow that and poll on until the timeout: then add the condition's {@link #unreachable()} as
 * Awaitility's fail-fast condition (4.2 or later), which no exception ignorer can silence:
 *
 * <pre>{@code
 * ProcessCondition ready = lineMatching(server.stdout(), "ready");
 * await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
 *         .failFast(ready.unreachable())      // ends the wait at once if the server dies first
 *         .untilAsserted(ready);
 * }</pre>
 */
public final class ProcessCondition implements Callable<Boolean>, ThrowingRunnable {

    /** One evaluation: {@code null} when the condition holds, else what was seen instead. */
    @FunctionalInterface
    interface Probe {
        String unmet();
    }

    private final String description;
    private final Probe probe;

    ProcessCondition(String description, Probe probe) {
        this.description = Objects.requireNonNull(description);
        this.probe = Objects.requireNonNull(probe);
    }

    /**
     * Evaluates the condition once.
     *
     * @return whether it holds now
     * @throws ConditionUnreachableException if it never can
     */
    @Override
    public Boolean call() {
        return probe.unmet() == null;
    }

    /**
     * Evaluates the condition once.
     *
     * @throws AssertionError saying what was seen, if it does not hold now
     * @throws ConditionUnreachableException if it never can
     */
    @Override
    public void run() {
        String unmet = probe.unmet();
        if (unmet != null) {
            throw new AssertionError("expected " + description + ", but " + unmet + System.lineSeparator());
        }
    }

    /**
     * A fail-fast check for Awaitility's {@code failFast(...)}: it does nothing while the condition can
     * still come true, and throws the {@link ConditionUnreachableException} that says why once it never
     * can (the output ended without the line, the process died without opening the port...). Awaitility
     * then ends the wait at once with a {@code TerminalFailureException} whose message and cause are that
     * reason, even under {@code ignoreExceptions()}.
     *
     * <pre>{@code
     * ProcessCondition listening = portOpen(server, 8080);
     * await().ignoreExceptions().failFast(listening.unreachable()).until(listening);
     * }</pre>
     *
     * @return a check that throws {@link ConditionUnreachableException} once this condition can never hold
     */
    public ThrowingRunnable unreachable() {
        return () -> probe.unmet(); // throws ConditionUnreachableException when it can never be met
    }

    /** What the condition waits for, e.g. {@code a line of stdout of pid 4242 (...) matching /ready/}. */
    @Override
    public String toString() {
        return description;
    }
}
