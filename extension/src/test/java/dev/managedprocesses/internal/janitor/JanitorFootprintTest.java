package dev.managedprocesses.internal.janitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.Spawned;
import dev.managedprocesses.testing.Proc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures what the janitor costs (the README's numbers), against the lightest JVM that could do
 * the same job (a {@code main} that only reads stdin: a real one would need more). Off by default,
 * since it measures rather than checks; run it with
 * <pre>{@code mvn -B -ntp -pl extension test -Dtest=JanitorFootprintTest -Dmanagedprocesses.footprint=true}</pre>
 * and read {@code extension/target/janitor-footprint.txt}.
 *
 * <p>Start latency is measured from the spawn call until the process sits in {@code read(0, ...)}
 * (first field of {@code /proc/<pid>/syscall}, x86_64 numbering), i.e. until it would see the JVM's
 * first line or its death. Memory is VmRSS and Pss ({@code smaps_rollup}) once it waits there.
 */
@EnabledIfSystemProperty(named = "managedprocesses.footprint", matches = "true")
class JanitorFootprintTest {
    private static final Os OS = Os.current();
    private static final int RUNS = 20;
    private static final int JVM_RUNS = 5;

    @Test
    void measure() throws Exception {
        List<String> report = new ArrayList<>();
        report.add("janitor footprint, " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", /bin/sh -> "
                + Path.of("/bin/sh").toRealPath());
        report.add("script: " + Janitor.request("/bin/sh", 1, 1).arguments().get(2).length() + " bytes in argv");

        Process standIn = new ProcessBuilder("sleep", "300").start();
        try {
            long[] start = new long[RUNS];
            long[] rss = new long[RUNS];
            long[] pss = new long[RUNS];
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                Spawned s = OS.spawner().spawn(Janitor.request("/bin/sh", standIn.pid(), Proc.startTime(standIn.pid())));
                awaitReadingStdin(s.pid());
                start[i] = System.nanoTime() - t0;
                // A realistic load: 100 live registrations and a cookie in its variable.
                StringBuilder lines = new StringBuilder("+s 12345-1-abcdef01\n");
                for (int g = 0; g < 100; g++) {
                    lines.append("+g ").append(4_000_000 + g).append(" 1234567\n");
                }
                byte[] b = lines.toString().getBytes(StandardCharsets.US_ASCII);
                OS.descriptors().write(s.stdinFd(), b, 0, b.length);
                Thread.sleep(100);
                awaitReadingStdin(s.pid());
                rss[i] = kb(s.pid(), "status", "VmRSS:");
                pss[i] = kb(s.pid(), "smaps_rollup", "Pss:");
                OS.descriptors().close(s.stdinFd()); // the stand-in "JVM" lives: it exits 3, touching nothing
                while (OS.control().reap(s.pid()).isEmpty()) {
                    Thread.sleep(1);
                }
            }
            report.add(String.format(Locale.ROOT, "sh janitor  (%d runs): start to read(0) median %.1f ms (min %.1f, max %.1f); "
                    + "VmRSS median %d kB; Pss median %d kB", RUNS, median(start) / 1e6, min(start) / 1e6,
                    max(start) / 1e6, median(rss), median(pss)));
        } finally {
            standIn.destroyForcibly();
            standIn.waitFor(30, TimeUnit.SECONDS);
        }

        long[] start = new long[JVM_RUNS];
        long[] rss = new long[JVM_RUNS];
        long[] pss = new long[JVM_RUNS];
        String classes = Path.of(JvmJanitorProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        for (int i = 0; i < JVM_RUNS; i++) {
            long t0 = System.nanoTime();
            Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-cp", classes,
                    JvmJanitorProbe.class.getName()).redirectErrorStream(true).start();
            try {
                awaitReadingStdin(jvm.pid());
                start[i] = System.nanoTime() - t0;
                Thread.sleep(100);
                rss[i] = kb(jvm.pid(), "status", "VmRSS:");
                pss[i] = kb(jvm.pid(), "smaps_rollup", "Pss:");
            } finally {
                jvm.getOutputStream().close();
                jvm.waitFor(30, TimeUnit.SECONDS);
                jvm.destroyForcibly();
                jvm.waitFor(30, TimeUnit.SECONDS);
            }
        }
        report.add(String.format(Locale.ROOT, "JVM probe   (%d runs): start to read(0) median %.1f ms (min %.1f, max %.1f); "
                + "VmRSS median %d kB; Pss median %d kB (a main that only reads stdin)", JVM_RUNS, median(start) / 1e6,
                min(start) / 1e6, max(start) / 1e6, median(rss), median(pss)));

        // The JVM side: one registration, as a spawn pays it (the real janitor of this JVM receives them).
        Janitor.ensureStarted();
        long[] perCall = new long[10];
        for (int round = 0; round < perCall.length; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 500; i++) {
                Janitor.registerGroup(4_100_000 + i, 1); // no such pid: never matches anything
                Janitor.unregisterGroup(4_100_000 + i, 1);
            }
            perCall[round] = (System.nanoTime() - t0) / 1000;
            Thread.sleep(200); // let the janitor read them: measure writes, not a full pipe
        }
        report.add(String.format(Locale.ROOT, "JVM side: register or unregister, median of %d rounds of 1000: %.2f us per call",
                perCall.length, median(perCall) / 1e3));

        report.forEach(System.out::println);
        Files.write(Path.of("target", "janitor-footprint.txt"), report);
        assertThat(median(pss)).isPositive();
    }

    /** Spins until some thread of {@code pid} is blocked in read(2) on fd 0 (x86_64: syscall 0). */
    private static void awaitReadingStdin(long pid) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        LongPredicate reading = tid -> {
            try {
                return Files.readString(Path.of("/proc/" + pid + "/task/" + tid + "/syscall")).startsWith("0 0x0 ");
            } catch (IOException e) {
                return false;
            }
        };
        while (System.nanoTime() < deadline) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                if (tasks.mapToLong(t -> Long.parseLong(t.getFileName().toString())).anyMatch(reading)) {
                    return;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("pid " + pid + " never blocked in read(0)");
    }

    private static long kb(long pid, String file, String key) throws IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Files.newInputStream(Path.of("/proc/" + pid + "/" + file)), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replace("kB", "").trim());
                }
            }
        }
        return -1;
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static long min(long[] values) {
        return Arrays.stream(values).min().orElse(0);
    }

    private static long max(long[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
