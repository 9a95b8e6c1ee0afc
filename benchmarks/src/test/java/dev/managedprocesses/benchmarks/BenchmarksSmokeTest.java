package dev.managedprocesses.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.managedprocesses.ProcessScope;

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
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertNoLiveDescendants();
    }

    /**
     * {@code --teardown-warmups} and {@code --groups}: the teardown section runs the warm-ups asked for and only
     * the numbers of groups asked for, and its report says how many warm-ups each fork ran.
     */
    @Test
    void theTeardownSectionRunsTheWarmUpsAndGroupsAskedFor(@TempDir Path out) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Harness.Report report;
        try (PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            report = new Harness(Harness.Profile.SMOKE, out, ps).teardownWarmups(2).groups(3).run(List.of("teardown"));
        }

        assertNotNull(report.measures().get("teardown/ratio@3"), report.measures().keySet().toString());
        assertTrue(report.measures().keySet().stream().noneMatch(k -> k.endsWith("@10")), report.measures().keySet().toString());
        String markdown = Files.readString(report.markdown());
        assertTrue(markdown.contains("Each fork ran 2 warm-up teardowns"), markdown);
        assertTrue(markdown.contains("--teardown-warmups 2 --groups 3`"), markdown);
        assertEquals(List.of(), report.strays(), "benchmarks left processes behind");
        assertThrows(IllegalArgumentException.class, () -> new Harness(Harness.Profile.SMOKE, out, System.out).groups(0));
        assertThrows(IllegalArgumentException.class,
                () -> new Harness(Harness.Profile.SMOKE, out, System.out).teardownWarmups(-1));
        assertNoLiveDescendants();
    }

    /**
     * The same-JVM teardowns ({@code benchmarks/run.sh --same-jvm}): one child JVM, the floor and two builds (the
     * current library and a copy of it, each in a class loader of its own) round-robin; every round must report a
     * time for each, the table a ratio for each, and no process of the run may be left.
     */
    @Test
    void theSameJvmTeardownsMeasureEveryBuildBesideTheFloor(@TempDir Path tmp) throws Exception {
        Path copy = copyOfTheLibrary(tmp);
        String current = SameJvmTeardown.currentBuild();
        assertTrue(current.startsWith(LibraryCheck.location(ProcessScope.class) + java.io.File.pathSeparator)
                && current.contains("jffi-"), current);
        Map<String, String> builds = new java.util.LinkedHashMap<>();
        builds.put("current", current);
        builds.put("copy", current.replace(LibraryCheck.location(ProcessScope.class).toString(), copy.toString()));
        String runId = "smoke-" + UUID.randomUUID();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<List<double[]>> times;
        try (PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            times = SameJvmTeardown.run(1, 1, 2, 3, 0, builds, runId, ps);
            SameJvmTeardown.report(List.of("current", "copy"), times, 3, 1, ps);
            SameJvmTeardown.reportByTeardown(List.of("current", "copy"), times, 1, ps);
        }

        assertEquals(3, times.size(), "the floor and two builds");
        for (List<double[]> column : times) {
            assertEquals(1, column.size(), "one JVM");
            assertEquals(2, column.get(0).length, "two measured rounds");
            for (double ms : column.get(0)) {
                assertTrue(ms > 0 && ms < 10_000, "a teardown of 3 groups took " + ms + " ms");
            }
        }
        String table = console.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("floor (killpg + waitpid)"), table);
        assertTrue(table.lines().anyMatch(l -> l.trim().startsWith("copy ") && l.chars().filter(c -> c == 'x').count() == 2),
                "the copy's row has its ratio to the floor and to the current build:\n" + table);
        // By teardown number: one warm-up, so the measured ones are the JVM's second and its third (of span 3-5).
        List<String> spans = table.lines().filter(l -> l.trim().matches("(2|3) .*")).toList();
        assertEquals(2, spans.size(), "a row for teardown 2 and one for 3:\n" + table);
        assertTrue(spans.stream().allMatch(l -> l.chars().filter(c -> c == 'x').count() == 2),
                "each row has both builds' ratios to the floor:\n" + table);
        assertEquals(List.of(), Benchmarks.killStrays(runId), "the same-JVM teardowns left processes behind");
        assertThrows(IllegalArgumentException.class, () -> SameJvmTeardown.main(new String[] {"--groups", "0"}));
        assertThrows(IllegalArgumentException.class, () -> SameJvmTeardown.main(new String[] {"--variant-library", "x"}));
        assertThrows(IllegalArgumentException.class,
                () -> SameJvmTeardown.main(new String[] {"--variant-library", "current=" + copy}));
        assertNoLiveDescendants();
    }

    /**
     * A library variant runs in JMH forks of its own. Here: a copy of the current library (so its classes
     * come from another path than this JVM's) plus a system property. Each fork must have loaded
     * {@code ProcessScope} from the copy and seen the property's value, and the tables and the plot must
     * carry the variant.
     */
    @Test
    void aVariantsForksLoadItsLibraryAndSeeItsProperty(@TempDir Path tmp) throws Exception {
        Path copy = copyOfTheLibrary(tmp);
        String token = UUID.randomUUID().toString();
        Variant variant = new Variant("copy", List.of(copy), List.of("-Dmp.benchmark.smoke.probe=" + token));
        Path out = Path.of("target", "benchmark-smoke-variant");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Harness.Report report;
        try (PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            report = new Harness(Harness.Profile.SMOKE, out, ps, List.of(variant)).run(List.of("spawn", "teardown"));
        } finally {
            Files.createDirectories(out);
            Files.write(out.resolve("console.txt"), console.toByteArray());
        }

        List<Harness.ForkCheck> checks = report.forkChecks().stream().filter(c -> c.variant().equals("copy")).toList();
        assertEquals(Set.of("spawn", "teardown"), checks.stream().map(Harness.ForkCheck::section).collect(Collectors.toSet()),
                "forks that reported: " + report.forkChecks());
        for (Harness.ForkCheck check : checks) {
            assertEquals(copy.toRealPath(), check.library(), "the variant's fork loaded the wrong library: " + check);
            assertEquals(Map.of("mp.benchmark.smoke.probe", token), check.properties(), check.toString());
            assertTrue(check.pid() != ProcessHandle.current().pid(), "a variant must run in a fork: " + check);
        }
        for (String key : List.of("spawn/managedProcesses[copy]", "spawn/current-over/managedProcesses[copy]",
                "teardown/managed@10[copy]", "teardown/current-over@10[copy]")) {
            Measure m = report.measures().get(key);
            assertNotNull(m, key + " missing from " + new TreeSet<>(report.measures().keySet()));
            assertTrue(m.center() > 0 && Double.isFinite(m.center()), key + " is not a positive number: " + m);
        }
        String markdown = Files.readString(report.markdown());
        assertTrue(markdown.contains("## Library variants") && markdown.contains("current ÷ copy")
                && markdown.contains("managed-processes copy (-Dmp.benchmark.smoke.probe=" + token + "), the same")
                && markdown.contains(copy.toRealPath().toString()), markdown);
        BufferedImage plot = ImageIO.read(report.plot().toFile());
        assertNotNull(plot, "teardown plot is not a readable PNG");
        assertEquals(List.of(), report.strays(), "benchmarks left processes behind");
        assertNoLiveDescendants();
    }

    /** Inside a fork, a library other than the expected one fails the fork, naming both. */
    @Test
    void theLibraryCheckRefusesAnotherLibrary(@TempDir Path tmp) {
        String line = LibraryCheck.check("current", LibraryCheck.location(ProcessScope.class), "some.Benchmark", "java.version");
        assertTrue(line.startsWith("variant=current\tbenchmark=some.Benchmark\tpid=") && line.contains(
                "\tproperty.java.version=" + System.getProperty("java.version")), line);
        IllegalStateException wrong = assertThrows(IllegalStateException.class,
                () -> LibraryCheck.check("old", tmp, "some.Benchmark", ""));
        assertTrue(wrong.getMessage().contains("variant old measures the wrong library")
                && wrong.getMessage().contains(LibraryCheck.location(ProcessScope.class).toString()), wrong.getMessage());
    }

    /**
     * The launcher JMH starts for a variant exchanges the class path it is given for the variant's, and
     * refuses (exit 97, before any JVM starts) a class path it was not written for.
     */
    @Test
    void theVariantLauncherReplacesOnlyTheClassPathItWasWrittenFor(@TempDir Path tmp) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path replacement = Files.createDirectory(tmp.resolve("replacement"));
        Path launcher = new Variant("probe", List.of(), List.of()).writeLauncher(tmp, java, "/the/host/class/path",
                replacement.toString());

        Process refused = new ProcessBuilder(launcher.toString(), "-cp", "/another/class/path", "-version")
                .redirectErrorStream(true).start();
        String refusal = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(97, refused.waitFor(), refusal);
        assertTrue(refusal.contains("refusing") && refusal.contains("/another/class/path"), refusal);

        Process ran = new ProcessBuilder(launcher.toString(), "-Dprobe=1", "-cp", "/the/host/class/path",
                "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
        String settings = new String(ran.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ran.waitFor(), settings);
        assertTrue(settings.contains("java.class.path = " + replacement) && settings.contains("probe = 1"), settings);
    }

    /** The current library (jar or classes directory) copied to {@code dir}. */
    private static Path copyOfTheLibrary(Path dir) throws IOException {
        Path current = LibraryCheck.location(ProcessScope.class);
        if (Files.isRegularFile(current)) {
            return Files.copy(current, dir.resolve("managed-processes-copy.jar"));
        }
        Path target = dir.resolve("managed-processes-copy");
        try (Stream<Path> files = Files.walk(current)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, target.resolve(current.relativize(p).toString()));
            }
        }
        return target;
    }

    private static void assertNoLiveDescendants() throws InterruptedException {
        // The crash-safety janitor lives beside the JVM on purpose (it is no benchmark's leftover). A child
        // that has just exited may be a zombie for a moment, until the JDK's reaper thread collects it.
        java.util.OptionalLong janitor = dev.managedprocesses.internal.janitor.Janitor.pid();
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
