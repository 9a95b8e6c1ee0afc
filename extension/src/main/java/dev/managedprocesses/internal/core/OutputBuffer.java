package dev.managedprocesses.internal.core;

import dev.managedprocesses.OutputEndedException;
import dev.managedprocesses.ProcessTimeoutException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * One captured stream of a process: a bounded in-memory buffer of lines, filled by the reactor thread as
 * the process writes ({@link #append}, {@link #end}), read and awaited by any thread. Users see it through
 * the read-only view {@code dev.managedprocesses.ProcessOutput}. When the process writes more than the
 * limit, the oldest lines are dropped and counted. A stream that is not a pipe is never captured: it
 * reads as empty and already ended.
 */
public final class OutputBuffer {
    private final String description;
    private final int limitChars;
    private final boolean captured;
    private final CharsetDecoder decoder;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final StringBuilder partial = new StringBuilder();
    private ByteBuffer pendingBytes = ByteBuffer.allocate(0);
    private long retainedChars;
    private long droppedLines;
    private boolean ended;
    private boolean appended; // any bytes at all: until then end() has nothing to decode or flush
    private volatile TrackedProcess process;

    /** A stream named like {@code stdout of pid 42 (sleep 1)}; {@code captured} when it is a pipe we read. */
    public OutputBuffer(String description, Charset charset, int limitChars, boolean captured) {
        this.description = description;
        this.limitChars = limitChars;
        this.captured = captured;
        this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.ended = !captured;
    }

    void attach(TrackedProcess process) {
        this.process = process;
    }

    /** Whether this stream is captured (a pipe) at all. */
    public boolean isCaptured() {
        return captured;
    }

    /** True once the process closed the stream (usually: it exited and so did every process holding it). */
    public synchronized boolean hasEnded() {
        return ended;
    }

    /** All retained output as text, lines joined with {@code \n}. */
    public synchronized String text() {
        StringBuilder sb = new StringBuilder((int) Math.min(Integer.MAX_VALUE, retainedChars + partial.length()));
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.append(partial).toString();
    }

    /** The retained lines, the unterminated last one included. */
    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>(lines);
        if (partial.length() > 0) {
            out.add(partial.toString());
        }
        return out;
    }

    /** The last {@code n} retained lines. */
    public synchronized List<String> tail(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative but was " + n);
        }
        List<String> all = lines();
        return new ArrayList<>(all.subList(Math.max(0, all.size() - n), all.size()));
    }

    /** How many of the oldest lines were dropped to stay within the limit. */
    public synchronized long droppedLines() {
        return droppedLines;
    }

    /**
     * Waits until a line matches {@code pattern} (searched with {@link Matcher#find()}), looking at
     * lines already received first.
     *
     * @return the match, so groups can be read ({@code .group(1)})
     * @throws ProcessTimeoutException when no line matched in time; the message shows the last lines
     * @throws OutputEndedException when the stream ended without a matching line
     */
    public MatchResult awaitLine(Pattern pattern, Duration timeout) {
        Objects.requireNonNull(pattern, "pattern");
        MatchResult[] result = new MatchResult[1];
        awaitLine(line -> {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                result[0] = m.toMatchResult();
                return true;
            }
            return false;
        }, "matching /" + pattern.pattern() + "/", timeout);
        return result[0];
    }

    /** Waits until a line contains {@code text}; returns that line. See {@link #awaitLine(Pattern, Duration)}. */
    public String awaitLineContaining(String text, Duration timeout) {
        Objects.requireNonNull(text, "text");
        return awaitLine(line -> line.contains(text), "containing \"" + text + "\"", timeout);
    }

    private String awaitLine(Predicate<String> predicate, String what, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative but was " + timeout
                    + ": pass how long to wait for the line, e.g. Duration.ofSeconds(10)");
        }
        if (!captured) {
            throw new IllegalStateException("Cannot await a line of " + description + ": it is not captured. "
                    + "Leave it as a pipe (the default) to read it");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long next = 0; // absolute index of the next line to test
        boolean endedWithoutMatch;
        synchronized (this) {
            while (true) {
                long first = droppedLines;
                long i = Math.max(next, first);
                for (var it = lines.iterator(); it.hasNext(); ) {
                    String line = it.next();
                    if (first++ < i) {
                        continue;
                    }
                    if (predicate.test(line)) {
                        return line;
                    }
                    i++;
                }
                next = i;
                if (ended) {
                    String last = partial.toString();
                    if (!last.isEmpty() && predicate.test(last)) {
                        return last;
                    }
                    endedWithoutMatch = true;
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    endedWithoutMatch = false;
                    break;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ProcessTimeoutException("Interrupted while awaiting a line of " + description + " " + what);
                }
            }
        }
        // Outside the lock: the library's thread needs it to deliver the exit we may wait for here.
        if (endedWithoutMatch) {
            throw new OutputEndedException(description + " ended without a line " + what + statusNote(true)
                    + lastLines());
        }
        throw new ProcessTimeoutException("No line of " + description + " " + what + " within "
                + format(timeout) + statusNote(false) + lastLines());
    }

    private String statusNote(boolean streamEnded) {
        TrackedProcess p = process;
        if (p == null) {
            return "";
        }
        if (streamEnded) {
            // The kernel closes a dying process's pipes just before it becomes a zombie: give the exit
            // a moment to be seen, so the message says how the process ended.
            try {
                p.waitFor(Duration.ofMillis(500));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return p.exitStatus().map(s -> " (the process " + s + ")").orElse(" (the process is still running)");
    }

    private String lastLines() {
        List<String> tail = tail(10);
        if (tail.isEmpty()) {
            return "; it printed nothing";
        }
        StringBuilder sb = new StringBuilder("; last lines:");
        for (String l : tail) {
            sb.append("\n  ").append(l);
        }
        return sb.toString();
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    // ---------------------------------------------------------------- filled by the reactor

    public synchronized void append(byte[] bytes, int length) {
        appended = true;
        ByteBuffer in;
        if (pendingBytes.hasRemaining()) {
            in = ByteBuffer.allocate(pendingBytes.remaining() + length);
            in.put(pendingBytes).put(bytes, 0, length).flip();
        } else {
            in = ByteBuffer.wrap(bytes, 0, length);
        }
        CharBuffer out = CharBuffer.allocate(length + 16);
        decoder.decode(in, out, false);
        out.flip();
        pendingBytes = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
        appendChars(out);
        notifyAll();
    }

    private void appendChars(CharSequence chars) {
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            if (c == '\n') {
                int end = partial.length();
                if (end > 0 && partial.charAt(end - 1) == '\r') {
                    partial.setLength(end - 1);
                }
                completeLine();
            } else {
                partial.append(c);
                if (partial.length() >= limitChars) {
                    completeLine(); // a single enormous line is cut rather than kept whole
                }
            }
        }
    }

    private void completeLine() {
        String line = partial.toString();
        partial.setLength(0);
        lines.addLast(line);
        retainedChars += line.length() + 1;
        while (retainedChars > limitChars && lines.size() > 1) {
            retainedChars -= lines.removeFirst().length() + 1;
            droppedLines++;
        }
    }

    public synchronized void end() {
        if (ended) {
            return;
        }
        if (appended) { // else nothing was ever decoded: the decoder holds nothing to flush
            CharBuffer out = CharBuffer.allocate(16);
            decoder.decode(pendingBytes, out, true);
            decoder.flush(out);
            out.flip();
            appendChars(out);
        }
        ended = true;
        notifyAll();
    }

    @Override
    public String toString() {
        return description;
    }
}
