package dev.managedprocesses.internal.os.portable;

import dev.managedprocesses.internal.os.Poller;

/**
 * A poller with nothing to poll: the portable platform has no pidfds and reads pipes on threads, so the
 * reactor uses it only to sleep until its next timer or a {@link #wakeup()}.
 */
final class TimerPoller implements Poller {
    private boolean woken; // guarded by this

    @Override
    public void add(int fd, long token) {
        throw new UnsupportedOperationException("no descriptor can be watched on " + PortableOs.where()
                + ": exits are polled with timers, pipes read on threads");
    }

    @Override
    public void remove(int fd) {
        throw new UnsupportedOperationException("no descriptor is watched on " + PortableOs.where());
    }

    @Override
    public synchronized int await(long[] tokens, int timeoutMillis) {
        try {
            if (!woken) {
                if (timeoutMillis < 0) {
                    wait();
                } else if (timeoutMillis > 0) {
                    wait(timeoutMillis);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        woken = false;
        return 0;
    }

    @Override
    public synchronized void wakeup() {
        woken = true;
        notifyAll();
    }

    @Override
    public void close() {
        // nothing held
    }
}
