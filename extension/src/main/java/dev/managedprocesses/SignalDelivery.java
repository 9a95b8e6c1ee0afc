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
    PID
}
