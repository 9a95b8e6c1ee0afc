package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.ContainerException;
import dev.managedprocesses.internal.os.Containment;
import java.time.Duration;

/**
 * cgroup v2 containment: detected on first use ({@link CgroupV2#detect()}, which creates this JVM's own
 * directory under the JVM's cgroup), and at that moment the leftovers of JVMs that died without cleaning
 * up are removed ({@link JvmCgroup#removeStale}). A scope's container is a cgroup below this JVM's; each
 * process gets one below its scope's.
 */
final class LinuxContainment implements Containment {
    /** How long the cleanup of a dead JVM's leftovers waits for its processes to die after the kill. */
    private static final Duration STALE_WAIT = Duration.ofSeconds(5);

    private volatile CgroupV2 detected;

    private CgroupV2 detected() {
        CgroupV2 d = detected;
        if (d == null) {
            synchronized (this) {
                d = detected;
                if (d == null) {
                    d = CgroupV2.detect();
                    d.jvmCgroup().ifPresent(jvm -> {
                        JvmCgroup.StaleCleanup cleanup = jvm.removeStale(STALE_WAIT);
                        for (String problem : cleanup.problems()) {
                            System.err.println("managed-processes: " + problem);
                        }
                    });
                    detected = d;
                }
            }
        }
        return d;
    }

    @Override
    public boolean available() {
        return detected().available();
    }

    @Override
    public String describe() {
        return detected().reason();
    }

    @Override
    public boolean placesAtBirth() {
        return CgroupFiles.libc().hasSpawnattrSetcgroup();
    }

    @Override
    public Container create(String name) throws ContainerException {
        JvmCgroup jvm = detected().jvmCgroup().orElseThrow(() -> new ContainerException(detected().reason()));
        return jvm.createScope(name);
    }

    @Override
    public java.util.Optional<java.util.Set<Long>> bornHere() {
        CgroupV2 d = detected;
        JvmCgroup jvm = d == null ? null : d.jvmCgroup().orElse(null);
        if (jvm == null) {
            return java.util.Optional.of(java.util.Set.of());
        }
        java.util.Set<Long> out = new java.util.HashSet<>();
        try {
            CgroupFiles.procs(jvm.jvmCgroupDirectory(), out);
        } catch (CgroupException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(out);
    }

    @Override
    public void release() {
        CgroupV2 d = detected;
        if (d != null) {
            d.jvmCgroup().ifPresent(jvm -> {
                try {
                    jvm.removeIfEmpty();
                } catch (CgroupException e) {
                    // the next JVM's cleanup of dead JVMs' directories takes it
                }
            });
        }
    }

    @Override
    public String crashKillFile() {
        return detected().jvmCgroup().map(jvm -> jvm.directory().resolve("cgroup.kill").toString()).orElse(null);
    }
}
