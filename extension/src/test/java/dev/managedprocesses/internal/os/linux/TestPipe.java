package dev.managedprocesses.internal.os.linux;

import static org.assertj.core.api.Assertions.assertThat;

/** A pipe for the reactor's tests: non-blocking, close-on-exec; the caller closes both ends. */
final class TestPipe {
    private static final int O_NONBLOCK = 04000;

    private TestPipe() {
    }

    /** {@code [read end, write end]}. */
    static int[] open() {
        int[] pipe = new int[2];
        assertThat(CgroupFiles.libc().pipe2(pipe, CgroupFiles.O_CLOEXEC | O_NONBLOCK)).as("pipe2").isZero();
        return pipe;
    }
}
