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

    /** Whether this stream is captured (a pipe) at all. */
    public boolean isCaptured() {
        return buffer.isCaptured();
    }

    /** True once the process closed the stream (usually: it exited and so did every process holding it). */
    public boolean hasEnded() {
        return buffer.hasEnded();
    }

    /** All retained output as text, lines joined with {@code \n}. */
    public String text() {
        return buffer.text();
    }

    /** The retained lines, the unterminated last one included. */
    public List<String> lines() {
        return buffer.lines();
    }

    /**
     * The last {@code n} retained lines.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public List<String> tail(int n) {
        return buffer.tail(n);
    }

    /** How many of the oldest lines were dropped to stay within the limit. */
    public long droppedLines() {
        return buffer.droppedLines();
    }

    /**
     * Waits until a line matches {@code pattern} (searched with {@link java.util.regex.Matcher#find()}),
     * looking at lines already received first.
     *
     * @return the match, so groups can be read ({@code .group(1)})
     * @throws ProcessTimeoutException when no line matched in time; the message shows the last lines
     * @throws OutputEndedException when the stream ended without a matching line
     * @throws IllegalStateException when the stream is not captured
     */
    public MatchResult awaitLine(Pattern pattern, Duration timeout) {
        return buffer.awaitLine(pattern, timeout);
    }

    /** Waits until a line contains {@code text}; returns that line. See {@link #awaitLine(Pattern, Duration)}. */
    public String awaitLineContaining(String text, Duration timeout) {
        return buffer.awaitLineContaining(text, timeout);
    }

    /** What it is, e.g. {@code stdout of pid 42 (sleep 1)}. */
    @Override
    public String toString() {
        return buffer.toString();
    }
}
