package dev.managedprocesses.internal.os.portable;

import dev.managedprocesses.internal.os.Descriptors;
import dev.managedprocesses.internal.os.Poller;
import java.util.Optional;

/**
 * The portable platform holds no descriptors of its own: the JDK owns its children's pipes (read through
 * {@code Process} streams) and there are no pidfds. Only the poller exists, for the reactor's timers.
 */
final class PortableDescriptors implements Descriptors {

    @Override
    public int read(int fd, byte[] buffer) {
        throw noDescriptors();
    }

    @Override
    public void write(int fd, byte[] buffer, int offset, int length) {
        throw noDescriptors();
    }

    @Override
    public void setNonBlocking(int fd) {
        throw noDescriptors();
    }

    @Override
    public int tryWrite(int fd, byte[] buffer, int offset, int length) {
        throw noDescriptors();
    }

    @Override
    public Optional<String> descriptorTarget(int fd) {
        return Optional.empty();
    }

    /** -1 (no pidfd: what {@code openPidfd} answers here) is closed by callers without asking; nothing else exists. */
    @Override
    public void close(int fd) {
        if (fd >= 0) {
            throw noDescriptors();
        }
    }

    @Override
    public Poller openPoller() {
        return new TimerPoller();
    }

    private static UnsupportedOperationException noDescriptors() {
        return new UnsupportedOperationException("raw descriptors are not used on " + PortableOs.where()
                + ": the JDK owns its children's pipes");
    }
}
