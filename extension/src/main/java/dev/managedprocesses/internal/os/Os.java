package dev.managedprocesses.internal.os;

import dev.managedprocesses.internal.os.linux.LinuxOs;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything native, behind small interfaces split by concern: {@link Spawner} (start),
 * {@link ProcessControl} (signal, wait, reap), {@link ProcessTable} (read the process table),
 * {@link Descriptors} (the JVM's own pipes and polling), and beside them {@link ProcessInspector} (ports,
 * open files, user names: for reports, not for the lifecycle). Nothing outside this package and its
 * per-platform implementations calls native code or reads {@code /proc}; errno leaves this layer only
 * as a value to explain in an error message ({@link SpawnException#errnoName()},
 * {@link ProcessControl#moveToOwnGroup}). One implementation per platform, chosen once ({@link #current()}).
 */
public final class Os {
    private final String platform;
    private final ProcessTable table;
    private final ProcessControl control;
    private final Spawner spawner;
    private final Descriptors descriptors;
    private final ProcessInspector inspector;

    public Os(String platform, ProcessTable table, ProcessControl control, Spawner spawner, Descriptors descriptors,
            ProcessInspector inspector) {
        this.platform = Objects.requireNonNull(platform);
        this.table = Objects.requireNonNull(table);
        this.control = Objects.requireNonNull(control);
        this.spawner = Objects.requireNonNull(spawner);
        this.descriptors = Objects.requireNonNull(descriptors);
        this.inspector = Objects.requireNonNull(inspector);
    }

    /** The implementation for this platform, loaded on first use. */
    public static Os current() {
        return Holder.INSTANCE;
    }

    /** The platform's name as users see it in messages and reports (for example {@code linux}). */
    public String platform() {
        return platform;
    }

    public ProcessTable table() {
        return table;
    }

    public ProcessControl control() {
        return control;
    }

    public Spawner spawner() {
        return spawner;
    }

    public Descriptors descriptors() {
        return descriptors;
    }

    public ProcessInspector inspector() {
        return inspector;
    }

    /** Holder idiom: the platform is loaded on first use only. */
    private static final class Holder {
        static final Os INSTANCE = load();

        private Holder() {
        }

        private static Os load() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            if (os.contains("linux")) {
                return LinuxOs.create();
            }
            throw new UnsupportedOperationException("managed-processes supports Linux only for now (this is "
                    + System.getProperty("os.name") + "); macOS is planned, Windows is not supported");
        }
    }
}
