package dev.managedprocesses.internal.os.linux;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cgroups and processes one test creates, all ended and removed by {@link #close()}, failed test or
 * not: each cgroup is killed, awaited empty and removed, then this JVM's directory is removed if empty,
 * and every process started here is destroyed. A cleanup that fails fails the test.
 */
final class CgroupFixture implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger NAMES = new AtomicInteger();

    final JvmCgroup jvm;
    private final List<ScopeCgroup> cgroups = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private CgroupFixture(JvmCgroup jvm) {
        this.jvm = jvm;
    }

    /** Skips the test, saying why, where this JVM may not create cgroups (not root, read-only mount, v1 only). */
    static CgroupFixture open() {
        CgroupV2 v2 = CgroupV2.detect();
        assumeTrue(v2.available(), v2::reason);
        return new CgroupFixture(v2.jvmCgroup().orElseThrow());
    }

    ScopeCgroup scope() throws CgroupException {
        ScopeCgroup cg = jvm.createScope("test-" + NAMES.incrementAndGet());
        cgroups.add(cg);
        return cg;
    }

    /** A cgroup directory made by hand (fake owners); killed and removed at close if still there. */
    Path directory(Path dir) throws IOException {
        directories.add(dir);
        Files.createDirectory(dir);
        return dir;
    }

    Process start(String... command) throws IOException {
        return startWith(null, command);
    }

    /** {@code command} with {@code KEY=value} added to its environment (null: none). */
    Process startWith(String entry, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (entry != null) {
            int eq = entry.indexOf('=');
            builder.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        Process p = builder.start();
        processes.add(p);
        return p;
    }

    /** Kills a process this test made but did not start (an orphan), if it still is the one that started at {@code startTime}. */
    static void killOrphan(long pid, long startTime) {
        if (pid <= 0) {
            return;
        }
        ProcessHandle.of(pid).filter(h -> dev.managedprocesses.testing.Proc.startTime(pid) == startTime)
                .ifPresent(ProcessHandle::destroyForcibly);
    }

    /** {@code sh -c script}, waiting at {@code read gate} until {@link #release} (so it can be moved in first). */
    Process gated(String script) throws IOException {
        return start("sh", "-c", "read gate; " + script);
    }

    static void release(Process gated) throws IOException {
        OutputStream in = gated.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** The pid a process wrote into {@code file}, once it has. */
    static long pidIn(Path file) throws IOException {
        if (!dev.managedprocesses.testing.Proc.eventually(TIMEOUT, () -> readPid(file) > 0)) {
            throw new AssertionError("no pid written to " + file + " within " + TIMEOUT);
        }
        return readPid(file);
    }

    private static long readPid(Path file) {
        try {
            String s = Files.readString(file).trim();
            return s.isEmpty() ? -1 : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() throws CgroupException {
        List<String> failures = new ArrayList<>();
        for (ScopeCgroup cg : cgroups) {
            cleanUp(cg.path(), cg.cgroupPath(), failures);
        }
        for (Path dir : directories) {
            cleanUp(dir, cgroupPathOf(dir), failures);
        }
        for (Process p : processes) {
            p.destroyForcibly();
            try {
                if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    failures.add("process " + p.pid() + " did not end");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add("interrupted while waiting for process " + p.pid());
            }
        }
        // The JVM's own directory is shared with the library's scopes in this JVM: it stays.
        if (!failures.isEmpty()) {
            throw new AssertionError("cleanup failed: " + failures);
        }
    }

    private String cgroupPathOf(Path dir) {
        Path relative = jvm.jvmCgroupDirectory().relativize(dir);
        return JvmCgroup.join(jvm.jvmCgroupPath(), relative.toString());
    }

    private static void cleanUp(Path dir, String cgroupPath, List<String> failures) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            CgroupFiles.kill(dir, cgroupPath, Files.exists(dir.resolve("cgroup.kill")));
            if (!CgroupFiles.awaitEvent(dir, "populated", '0', TIMEOUT.toNanos())) {
                failures.add(dir + " still populated");
            }
            CgroupFiles.removeTree(dir);
        } catch (CgroupException | InterruptedException | RuntimeException e) {
            failures.add(dir + ": " + e);
        }
    }
}
