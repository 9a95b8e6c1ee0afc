package dev.managedprocesses.internal.os;

import java.io.IOException;
import java.util.Optional;

/** This JVM's own descriptors: the pipes of spawned children, and readiness polling. */
public interface Descriptors {

    /**
     * Reads what is available from a non-blocking descriptor.
     *
     * @return bytes read, 0 at end of stream, -1 when nothing is available now
     */
    int read(int fd, byte[] buffer);

    /** Writes all of {@code buffer[offset, offset+length)} to a blocking descriptor. */
    void write(int fd, byte[] buffer, int offset, int length) throws IOException;

    /** Makes a descriptor (its open file description) non-blocking. */
    void setNonBlocking(int fd);

    /**
     * Writes what fits now to a non-blocking descriptor, in one {@code write(2)}: a pipe takes up to
     * {@code PIPE_BUF} (4096) bytes whole or not at all, more may be cut short.
     *
     * @return bytes written, 0 when the pipe is full
     * @throws IOException when the reader is gone ({@code EPIPE}) or the descriptor is not open; the
     *     message starts with the errno name
     */
    int tryWrite(int fd, byte[] buffer, int offset, int length) throws IOException;

    /**
     * What one of this JVM's descriptors refers to ({@code pipe:[1234]}, a path), to tell whether a
     * descriptor number still names the file it was opened for; empty when it is not open.
     */
    Optional<String> descriptorTarget(int fd);

    /** Closes a descriptor; errors are ignored. */
    void close(int fd);

    /** A new readiness poller (epoll on Linux). */
    Poller openPoller();
}
