package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.internal.os.Os;

/** Builds the Linux platform: libc through jffi, {@code /proc}, epoll. */
public final class LinuxOs {
    private LinuxOs() {
    }

    /** Loads libc (jffi's native library) and wires the parts. Throws with a clear message when that is impossible. */
    public static Os create() {
        LibC libc = LinuxProcesses.loadLibC();
        LinuxProcesses processes = new LinuxProcesses(libc);
        return new Os("linux", new LinuxProcessTable(libc, LinuxProcesses.clockTicks(libc)), processes, processes,
                processes, new LinuxInspector(), new LinuxContainment());
    }
}
