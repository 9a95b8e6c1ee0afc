package dev.managedprocesses.internal.os.portable;

import dev.managedprocesses.internal.os.Containment;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.PlatformChoice;

/**
 * Builds the portable platform: the JDK alone ({@code ProcessBuilder} to start, {@code ProcessHandle} for
 * identity, descendants, exits and {@code destroy()}), so the library runs wherever the JDK runs (macOS,
 * Windows, and Linux with {@code -Dmanagedprocesses.platform=portable}). Nothing native is loaded. What the
 * JDK cannot do (process groups, arbitrary signals, reading another process's environment, pidfds) is
 * refused with an {@link UnsupportedOperationException} that names the platform and the alternative, or
 * answered as unknown where the caller can do without it; README's platform table lists each guarantee.
 */
public final class PortableOs {
    private PortableOs() {
    }

    /** The portable platform's parts. */
    public static Os create() {
        return new Os(PlatformChoice.PORTABLE, new PortableProcessTable(), new PortableProcessControl(),
                new PortableSpawner(), new PortableDescriptors(), new PortableInspector(),
                Containment.unavailable("the portable platform has none (the JDK cannot create cgroups)"));
    }

    /**
     * The start time of {@code process} in this platform's units (see {@link dev.managedprocesses.internal.os.ProcStat#startTime()}),
     * read once through the JDK; 0 when the JDK cannot read it.
     */
    public static long startTime(ProcessHandle process) {
        return process.info().startInstant().map(PortableProcessTable::ticks).orElse(0L);
    }

    /** For messages: {@code the portable platform (Mac OS X)}. */
    static String where() {
        return "the portable platform (" + System.getProperty("os.name") + ")";
    }
}
