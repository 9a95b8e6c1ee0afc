package dev.managedprocesses.assertj;

import dev.managedprocesses.EndedBy;
import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessOutput;
import dev.managedprocesses.Signal;
import dev.managedprocesses.SignalDelivery;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The handle {@code notReused()} exists to catch: a wrapper around a real process that remembers only
 * the pid and asks "is pid N alive?" ({@code ProcessHandle.of(pid)}), the way naive process helpers
 * do; or ({@link #neverNoticingTheEnd}) one that decided once that the process runs and never looks
 * again. Everything else comes from the real handle. Used only to show the failure of {@code notReused()}.
 */
final class PidTrustingProcess implements ManagedProcess {
    private final ManagedProcess real;
    private final ProcessHandle handleTakenAtStart;

    PidTrustingProcess(ManagedProcess real) {
        this(real, null);
    }

    private PidTrustingProcess(ManagedProcess real, ProcessHandle handleTakenAtStart) {
        this.real = real;
        this.handleTakenAtStart = handleTakenAtStart;
    }

    /** A handle that says "alive" and hands out the JDK handle it took while {@code real} ran, forever. */
    static PidTrustingProcess neverNoticingTheEnd(ManagedProcess real) {
        return new PidTrustingProcess(real, real.toHandle().orElseThrow());
    }

    @Override
    public boolean isAlive() {
        return handleTakenAtStart != null || ProcessHandle.of(real.pid()).isPresent();
    }

    @Override
    public Optional<ProcessHandle> toHandle() {
        return handleTakenAtStart != null ? Optional.of(handleTakenAtStart) : ProcessHandle.of(real.pid());
    }

    @Override
    public long pid() {
        return real.pid();
    }

    @Override
    public ProcessIdentity identity() {
        return real.identity();
    }

    @Override
    public List<String> command() {
        return real.command();
    }

    @Override
    public Optional<ExitStatus> exitStatus() {
        return real.exitStatus();
    }

    @Override
    public Optional<EndedBy> endedBy() {
        return real.endedBy();
    }

    @Override
    public ExitStatus waitFor() throws InterruptedException {
        return real.waitFor();
    }

    @Override
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        return real.waitFor(timeout);
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return real.onExit();
    }

    @Override
    public boolean signal(Signal signal) {
        return real.signal(signal);
    }

    @Override
    public boolean signalGroup(Signal signal) {
        return real.signalGroup(signal);
    }

    @Override
    public ExitStatus terminate() {
        return real.terminate();
    }

    @Override
    public ExitStatus terminate(Duration gracePeriod) {
        return real.terminate(gracePeriod);
    }

    @Override
    public ExitStatus kill() {
        return real.kill();
    }

    @Override
    public void suspend() {
        real.suspend();
    }

    @Override
    public void resume() {
        real.resume();
    }

    @Override
    public ProcessOutput stdout() {
        return real.stdout();
    }

    @Override
    public ProcessOutput stderr() {
        return real.stderr();
    }

    @Override
    public OutputStream stdin() {
        return real.stdin();
    }

    @Override
    public List<ProcessInfo> descendants() {
        return real.descendants();
    }

    @Override
    public long processGroup() {
        return real.processGroup();
    }

    @Override
    public boolean isProcessGroupLeader() {
        return real.isProcessGroupLeader();
    }

    @Override
    public SignalDelivery signalDelivery() {
        return real.signalDelivery();
    }

    @Override
    public Optional<Duration> terminationTime() {
        return real.terminationTime();
    }

    @Override
    public String toString() {
        return real.toString();
    }
}
