package dev.managedprocesses.internal.os.linux;

/**
 * Run in a child JVM by {@link CgroupV2Test}: prints what {@link CgroupV2#detect()} finds there, and
 * removes the directory it made, if any.
 */
public final class CgroupV2Probe {
    private CgroupV2Probe() {
    }

    public static void main(String[] args) throws Exception {
        CgroupV2 v2 = CgroupV2.detect();
        System.out.println("available " + v2.available());
        System.out.println("reason " + v2.reason());
        if (v2.available()) {
            v2.jvmCgroup().orElseThrow().removeIfEmpty();
        }
    }
}
