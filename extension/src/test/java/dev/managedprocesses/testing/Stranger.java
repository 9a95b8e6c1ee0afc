package dev.managedprocesses.testing;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A process started outside every scope (plain ProcessBuilder). Tests start one before they run and
 * check afterwards that it survived: nothing unrelated may ever be signalled.
 */
public final class Stranger implements AutoCloseable {
    private final Process process;
    private final long startTime;

    private Stranger(Process process) {
        this.process = process;
        this.startTime = Proc.startTime(process.pid());
    }

    public static Stranger start() {
        try {
            return new Stranger(new ProcessBuilder("sleep", "300").redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Alive, same start time, and not stopped. */
    public boolean untouched() {
        return process.isAlive() && Proc.startTime(process.pid()) == startTime && !Proc.suspended(process.pid());
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
