package dev.managedprocesses;

import dev.managedprocesses.internal.core.TrackedProcess;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The one implementation of {@link ManagedProcess}: a handle on a process the engine tracks. */
final class ScopedProcess implements ManagedProcess {
    private final TrackedProcess process;
    private final ProcessOutput stdout;
    private final ProcessOutput stderr;

    ScopedProcess(TrackedProcess process) {
        this.process = process;
        this.stdout = new ProcessOutput(process.stdout());
        this.stderr = new ProcessOutput(process.stderr());
    }

    TrackedProcess tracked() {
        return process;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public ProcessIdentity identity() {
        return process.identity();
    }

    @Override
    public List<String> command() {
        return process.command();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public Optional<ExitStatus> exitStatus() {
        return process.exitStatus();
    }

    @Override
    public Optional<EndedBy> endedBy() {
        return process.endedBy();
    }

    @Override
    public ExitStatus waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout);
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return process.onExit();
    }

    @Override
    public boolean signal(Signal signal) {
        return process.signal(signal);
    }

    @Override
    public boolean signalGroup(Signal signal) {
        return process.signalGroup(signal);
    }

    @Override
    public ExitStatus terminate() {
        return process.terminate();
    }

    @Override
    public ExitStatus terminate(Duration gracePeriod) {
        return process.terminate(gracePeriod);
    }

    @Override
    public ExitStatus kill() {
        return process.kill();
    }

    @Override
    public void suspend() {
        process.suspend();
    }

    @Override
    public void resume() {
        process.resume();
    }

    @Override
    public ProcessOutput stdout() {
        return stdout;
    }

    @Override
    public ProcessOutput stderr() {
        return stderr;
    }

    @Override
    public OutputStream stdin() {
        return process.stdin();
    }

    @Override
    public List<ProcessInfo> descendants() {
        return process.descendants();
    }

    @Override
    public long processGroup() {
        return process.processGroup();
    }

    @Override
    public boolean isProcessGroupLeader() {
        return process.isProcessGroupLeader();
    }

    @Override
    public Optional<ProcessHandle> toHandle() {
        return process.toHandle();
    }

    @Override
    public SignalDelivery signalDelivery() {
        return process.signalDelivery();
    }

    @Override
    public Optional<Duration> terminationTime() {
        return process.terminationTime();
    }

    @Override
    public String toString() {
        return process.toString();
    }
}
