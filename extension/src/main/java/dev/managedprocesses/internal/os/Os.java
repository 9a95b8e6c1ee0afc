package dev.managedprocesses.internal.os;

import dev.managedprocesses.internal.os.linux.LinuxOs;
import dev.managedprocesses.internal.os.portable.PortableOs;
import java.util.Objects;

/**
 * Everything native, behind small interfaces split by concern: {@link Spawner} (start),
 * {@link ProcessControl} (signal, wait, reap), {@link ProcessTable} (read the process table),
 * {@link Descriptors} (the JVM's own pipes and polling), and beside them {@link ProcessInspector} (ports,
 * open files, user names: for reports, not for the lifecycle) and {@link Containment} (containers the
 * kernel guarantees, where the JVM may create them). Nothing outside this package and its
 * per-platform implementations calls native code or reads {@code /proc}; errno leaves this layer only
 * as a value to explain in an error message ({@link SpawnException#errnoName()},
 * {@link ProcessControl#moveToOwnGroup}). One implementation per platform, chosen once ({@link #current()},
 * by {@link PlatformChoice}): {@code linux} (libc through jffi) or {@code portable} (the JDK alone, and no
 * native library at all).
 */
public record Os(String platform, ProcessTable table, ProcessControl control, Spawner spawner,
        Descriptors descriptors, ProcessInspector inspector, Containment containment) {

    /**
     * @param platform the platform's name as users see it in messages and reports: {@value PlatformChoice#LINUX}
     *     or {@value PlatformChoice#PORTABLE}
     * @param table reads the process table
     * @param control signals, waits for and reaps processes
     * @param spawner starts processes
     * @param descriptors this JVM's own pipes, and readiness polling
     * @param inspector ports, open files, user names: for reports, not for the lifecycle
     * @param containment containers the kernel guarantees (cgroup v2 on Linux), where this JVM may make them
     */
    public Os {
        Objects.requireNonNull(platform);
        Objects.requireNonNull(table);
        Objects.requireNonNull(control);
        Objects.requireNonNull(spawner);
        Objects.requireNonNull(descriptors);
        Objects.requireNonNull(inspector);
        Objects.requireNonNull(containment);
    }

    /** The implementation for this platform, loaded on first use. */
    public static Os current() {
        return Holder.INSTANCE;
    }

    /**
     * True on the portable platform: the JDK starts and reaps every child ({@code ProcessBuilder}), and
     * there are no pidfds, process groups, subreaper or crash-safety janitor.
     */
    public boolean portable() {
        return PlatformChoice.PORTABLE.equals(platform);
    }

    /** Holder idiom: the platform is loaded on first use only. */
    private static final class Holder {
        static final Os INSTANCE = load();

        private Holder() {
        }

        private static Os load() {
            // Only the chosen platform's classes are loaded: on the portable one, jffi is never touched.
            return PlatformChoice.LINUX.equals(PlatformChoice.current()) ? LinuxOs.create() : PortableOs.create();
        }
    }
}
