package dev.managedprocesses.internal.janitor;

import java.io.IOException;

/**
 * The lightest possible JVM janitor, for {@link JanitorFootprintTest}'s comparison: it only reads
 * stdin until end of input. A real one would also need to read {@code /proc} and send signals.
 */
public final class JvmJanitorProbe {
    private JvmJanitorProbe() {
    }

    public static void main(String[] args) throws IOException {
        byte[] buffer = new byte[4096];
        while (System.in.read(buffer) >= 0) {
            // a real janitor would parse the lines here
        }
    }
}
