package dev.managedprocesses.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks are not part of the build; this is: every benchmark once, one very short iteration,
 * in this JVM (the harness's SMOKE profile), and every result checked for shape, not speed.
 */
class BenchmarksSmokeTest {

    @Test
    void everyBenchmarkRunsOnceAndTheHarnessReportsRatios() throws Exception {
        Path out = Path.of("target", "benchmark-smoke");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Harness.Report report;
        try (PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            report = new Harness(Harness.Profile.SMOKE, out, ps).run(Harness.SECTIONS);
        } finally {
            Files.createDirectories(out);
            Files.write(out.resolve("console.txt"), console.toByteArray());
        }

        // every @Benchmark method produced a measure (teardown: per group count)
        for (String benchmark : benchmarkMethods()) {
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            boolean found = report.measures().keySet().stream().anyMatch(k -> k.endsWith("/" + method)
                    || k.contains("/" + method + "@") || (benchmark.contains("Teardown") && k.startsWith("teardown/")));
            assertTrue(found, "no result for " + benchmark + " in " + new TreeSet<>(report.measures().keySet()));
        }
        for (Map.Entry<String, Measure> e : report.measures().entrySet()) {
            assertTrue(e.getValue().center() > 0 && Double.isFinite(e.getValue().center()),
                    e.getKey() + " is not a positive number: " + e.getValue());
        }
        assertNotNull(report.measures().get("spawn/ratio/managedProcesses"));
        assertEquals(1.0, report.measures().get("spawn/ratio/jdk").center(), 1e-9);
        assertNotNull(report.measures().get("teardown/ratio@10"));
        assertNotNull(report.measures().get("coldstart/difference"));
        assertNotNull(report.measures().get("footprint/libraryThreads"));

        String markdown = Files.readString(report.markdown());
        assertTrue(markdown.contains("(6) Leak detector overhead") && markdown.contains("leak-overhead.sh"), markdown);
        BufferedImage plot = ImageIO.read(report.plot().toFile());
        assertNotNull(plot, "teardown plot is not a readable PNG");
        assertTrue(plot.getWidth() > 100 && plot.getHeight() > 100);

        assertEquals(List.of(), report.strays(), "benchmarks left processes behind");
        // The crash-safety janitor lives beside the JVM on purpose (it is no benchmark's leftover). A child
        // that has just exited may be a zombie for a moment, until the JDK's reaper thread collects it.
        java.util.OptionalLong janitor = dev.managedprocesses.internal.Janitor.pid();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        List<String> live;
        while (true) {
            live = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                    .filter(h -> janitor.isEmpty() || h.pid() != janitor.getAsLong())
                    .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList();
            if (live.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(List.of(), live, "processes still alive under the test JVM");
    }

    private static List<String> benchmarkMethods() throws IOException {
        try (InputStream in = BenchmarksSmokeTest.class.getResourceAsStream("/META-INF/BenchmarkList")) {
            assertNotNull(in, "JMH's annotation processor did not run");
            String list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            TreeSet<String> names = new TreeSet<>();
            for (String line : list.split("\n")) {
                // "JMH S <len> <class> S <len> <generated class> S <len> <method> ..."
                String[] words = line.split(" ");
                if (words.length > 9 && words[0].equals("JMH")) {
                    names.add(words[3] + "." + words[9]);
                }
            }
            assertTrue(names.size() >= 20, "only " + names + " in the BenchmarkList");
            return List.copyOf(names);
        }
    }
}
