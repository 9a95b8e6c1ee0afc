package dev.managedprocesses;

/** How a handle delivers signals to its own process. */
public enum SignalDelivery {
    /**
     * Through a pidfd ({@code pidfd_send_signal}): the kernel guarantees the signal reaches this very
     * process or nobody, even if the pid has been recycled.
     */
    PIDFD,
    /**
     * Through the pid ({@code kill}), used only where the kernel has no pidfd. Safe for processes this
     * library spawned (it reaps them, so their pid cannot be recycled while the handle may signal);
     * for adopted processes the identity is re-checked right before each signal.
     */
    PID,
    /**
     * Through the JDK ({@code ProcessHandle.destroy()} and {@code destroyForcibly()}), on the portable platform
     * ({@link ProcessPlatform#PORTABLE}): only SIGTERM (where the system has it) and SIGKILL; the JDK re-checks
     * the process's start time right before it signals.
     */
    PROCESS_HANDLE
}
