package dev.managedprocesses.internal.core;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/** The stdin of a process that is not ours to write (redirected at start, or adopted): every write fails, saying why. */
final class NoInput extends OutputStream {
    private final Supplier<String> message;

    /** {@code message} is asked for when a write fails (it may name the process as it is by then). */
    NoInput(Supplier<String> message) {
        this.message = message;
    }

    @Override
    public void write(int b) throws IOException {
        throw new IOException(message.get());
    }
}
