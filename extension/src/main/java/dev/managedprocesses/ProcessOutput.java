package dev.managedprocesses;

import dev.managedprocesses.internal.core.OutputBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * The captured stdout or stderr of a {@link ManagedProcess}, read-only: a bounded in-memory buffer of
 * lines, filled in the background as the process writes (no thread per process), that can be read at
 * any time and awaited.
 *
 * <pre>{@code
 * MatchResult m = server.stdout().awaitLine(Pattern.compile("port (\\d+)"), Duration.ofSeconds(10));
 * int port = Integer.parseInt(m.group(1));
 * }</pre>
 *
 * <p>When the process writes more than the limit ({@link ProcessSpec#outputLimit(int)}), the oldest
 * lines are dropped and {@link #droppedLines()} counts them. A stream that is not a pipe (inherited,
 * discarded, redirected to a file) is never captured: it reads as empty and already ended. Thread-safe.
 */
public final class ProcessOutput {
    private final OutputBuffer buffer;

    ProcessOutput(OutputBuffer buffer) {
        this.buffer = Objects.requireNonNull(buffer);
    }

    /**
     * Whether this stream is captured (a pipe) at all.
     *
     * @return false when it was redirected, discarded, inherited or merged into stdout, and for an adopted
     *     process; such a stream reads as empty and already ended
     */
    public boolean isCaptured() {
        return buffer.isCaptured();
    }

    /**
     * True once the process closed the stream (usually: it exited and so did every process holding it).
     * After that, {@link #lines()} and {@link #text()} hold everything it will ever get.
     *
     * @return whether the stream has ended; always true for a stream that is not captured
     */
    public boolean hasEnded() {
        return buffer.hasEnded();
    }

    /**
     * All retained output as text, lines joined with {@code \n}.
     *
     * @return what was received so far, minus the oldest lines dropped beyond the limit; a terminated last
     *     line keeps its {@code \n}
     */
    public String text() {
        return buffer.text();
    }

    /**
     * The retained lines, the unterminated last one included.
     *
     * @return a copy, without line terminators, oldest first
     */
    public List<String> lines() {
        return buffer.lines();
    }

    /**
     * The last {@code n} retained lines, for messages and logs.
     *
     * @param n how many lines, at least 0
     * @return at most {@code n} lines (fewer when fewer were retained), oldest first
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public List<String> tail(int n) {
        return buffer.tail(n);
    }

    /**
     * How many of the oldest lines were dropped to stay within the limit ({@link ProcessSpec#outputLimit(int)}).
     *
     * @return the number of lines dropped so far; 0 while the output fits
     */
    public long droppedLines() {
        return buffer.droppedLines();
    }

    /**
     * Waits until a line matches {@code pattern} (searched with {@link java.util.regex.Matcher#find()}),
     * looking at lines already received first. The wait is woken by the output itself, not by polling.
     *
     * @param pattern what a line must contain a match of
     * @param timeout how long to wait at most
     * @return the match, so groups can be read ({@code .group(1)})
     * @throws ProcessTimeoutException when no line matched in time; the message shows the last lines. Also
     *     when the thread is interrupted, whose interrupt flag then stays set
     * @throws OutputEndedException when the stream ended without a matching line
     * @throws IllegalStateException when the stream is not captured
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public MatchResult awaitLine(Pattern pattern, Duration timeout) {
        return buffer.awaitLine(pattern, timeout);
    }

    /**
     * Waits until a line contains {@code text}. See {@link #awaitLine(Pattern, Duration)}.
     *
     * @param text what the line must contain, taken literally
     * @param timeout how long to wait at most
     * @return the whole line that contains it
     * @throws ProcessTimeoutException when no line contained it in time, or the thread was interrupted
     * @throws OutputEndedException when the stream ended without such a line
     * @throws IllegalStateException when the stream is not captured
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public String awaitLineContaining(String text, Duration timeout) {
        return buffer.awaitLineContaining(text, timeout);
    }

    /** What it is, e.g. {@code stdout of pid 42 (sleep 1)}. */
    @Override
    public String toString() {
        return buffer.toString();
    }
}
