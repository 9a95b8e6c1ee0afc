package dev.managedprocesses.internal.os.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link JvmCgroupStaleTest}: makes its per-JVM directory and one scope cgroup, puts
 * a {@code setsid sleep} in it, writes the directory and the sleeper's pid to the file named by its
 * argument, and waits to be killed (SIGKILL: it never cleans up).
 */
public final class CgroupOwnerChild {
    private CgroupOwnerChild() {
    }

    public static void main(String[] args) throws Exception {
        JvmCgroup jvm = CgroupV2.detect().jvmCgroup().orElseThrow();
        ScopeCgroup scope = jvm.createScope("held");
        Process sleeper = new ProcessBuilder("setsid", "sleep", "300")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        if (!scope.addSpawnedChild(sleeper.pid())) {
            throw new IllegalStateException("sleeper gone");
        }
        Path out = Path.of(args[0]);
        Files.write(out.resolveSibling(out.getFileName() + ".tmp"), List.of(jvm.directory().toString(), Long.toString(sleeper.pid())));
        Files.move(out.resolveSibling(out.getFileName() + ".tmp"), out); // whole, or not at all
        Thread.sleep(300_000);
    }
}
