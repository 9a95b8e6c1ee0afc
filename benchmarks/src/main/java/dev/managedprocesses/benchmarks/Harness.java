package dev.managedprocesses.benchmarks;

import dev.managedprocesses.ProcessScope;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark, turns the results into ratios against the baseline measured in the same
 * run, prints them, and writes {@code results.md} and {@code teardown-vs-groups.png} to the output
 * directory. {@link Main} is the command line; the smoke test calls {@link #run} with {@link Profile#SMOKE}.
 *
 * <p>With {@linkplain Variant library variants}, the sections of {@link #VARIANT_SECTIONS} also run
 * their managed-processes benchmarks once per round for each variant, in forks of their own (another
 * build of the library on the class path, or extra system properties), and report the current build's
 * time divided by each variant's, paired by round and iteration like every other ratio.
 */
public final class Harness {

    /**
     * How long and how often: the profiles differ only in repetitions, never in what is measured. A
     * round runs every benchmark of a section once, each in a fresh JVM (JMH fork), back to back;
     * rounds repeat that, so that a busy stretch of a shared machine falls on every contender.
     */
    public enum Profile {
        /** Each benchmark once, one very short iteration, in this JVM: proves the harness works (mvn verify). */
        SMOKE(true, 1, 0, 1, 50, 0, 1, 1, new int[] {10}, 10, 1, 1),
        /** About four minutes on two cores, the build included: two rounds of short iterations. */
        QUICK(false, 2, 1, 2, 1000, 1, 3, 2, new int[] {10, 100, 1000}, 1000, 1, 10),
        /** The numbers to publish when the machine is quiet (about 20 minutes): three rounds, longer iterations. */
        FULL(false, 3, 2, 4, 2000, 2, 5, 4, new int[] {10, 100, 1000}, 1000, 3, 30);

        final boolean inProcess;
        final int rounds;
        final int warmups;
        final int iterations;
        final int iterationMillis;
        final int singleShotWarmups;
        final int singleShotIterations;
        final int nonChildIterations;
        final int[] groups;
        final int footprintProcesses;
        final int footprintRepeats;
        final int coldStarts;

        Profile(boolean inProcess, int rounds, int warmups, int iterations, int iterationMillis, int singleShotWarmups,
                int singleShotIterations, int nonChildIterations, int[] groups, int footprintProcesses,
                int footprintRepeats, int coldStarts) {
            this.inProcess = inProcess;
            this.rounds = rounds;
            this.warmups = warmups;
            this.iterations = iterations;
            this.iterationMillis = iterationMillis;
            this.singleShotWarmups = singleShotWarmups;
            this.singleShotIterations = singleShotIterations;
            this.nonChildIterations = nonChildIterations;
            this.groups = groups;
            this.footprintProcesses = footprintProcesses;
            this.footprintRepeats = footprintRepeats;
            this.coldStarts = coldStarts;
        }
    }

    /** The sections, in the issue's numbering; (6), the leak detector, does not exist yet. */
    public static final List<String> SECTIONS = List.of("spawn", "capture", "latency", "teardown", "footprint", "coldstart");

    /** The sections that measure {@linkplain Variant library variants} beside the current build. */
    public static final List<String> VARIANT_SECTIONS = List.of("spawn", "latency", "teardown");

    private static final String PACKAGE = Harness.class.getPackageName();

    private final Profile profile;
    private final Path out;
    private final PrintStream console;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, Measure> measures = new LinkedHashMap<>();
    private final List<String> targets = new ArrayList<>();
    private final StringBuilder md = new StringBuilder();
    private final List<String> loads = new ArrayList<>();
    private Map<Integer, Measure> teardownManaged = new TreeMap<>();
    private Map<Integer, Measure> teardownFloor = new TreeMap<>();
    private final Map<Integer, Measure> teardownRatios = new TreeMap<>();
    private final List<String> raw = new ArrayList<>();
    private final List<String> strays = new ArrayList<>();
    private final List<Variant> variants;
    /** Each variant's teardown times, by number of groups, for the plot. */
    private final Map<Variant, Map<Integer, Measure>> teardownVariants = new LinkedHashMap<>();
    /** Current build ÷ variant, per benchmark, for the summary. */
    private final List<Comparison> comparisons = new ArrayList<>();
    private final List<ForkCheck> forkChecks = new ArrayList<>();
    /** Per variant name: the real path its forks must load {@code ProcessScope} from. */
    private final Map<String, Path> libraryRoots = new HashMap<>();
    /** Per variant name with a library of its own: the launcher JMH starts instead of java. */
    private final Map<String, Path> launchers = new HashMap<>();
    /** Launchers and the file the forks report their {@link LibraryCheck} to; deleted after the run. */
    private Path forkDir;
    private Path checkFile;
    private int checkLinesRead;
    private int rounds;
    private int teardownWarmups;
    private int[] groups;

    /**
     * Warm-up teardowns per fork after which the JIT is mostly done with the teardown's code at 100 groups (tier 4
     * after some 5,000 calls: 50 teardowns), and section (4)'s target is judged (BENCHMARKS.md, "Twelfth round").
     */
    static final int STEADY_TEARDOWN_WARMUPS = 200;

    public Harness(Profile profile, Path out, PrintStream console) {
        this(profile, out, console, List.of());
    }

    /** With library variants (names unique, none named "current"), measured in {@link #VARIANT_SECTIONS}. */
    public Harness(Profile profile, Path out, PrintStream console, List<Variant> variants) {
        this.profile = profile;
        this.out = out;
        this.console = console;
        Set<String> names = new HashSet<>();
        for (Variant v : variants) {
            if (v.name().equals(Variant.CURRENT.name()) || !names.add(v.name())) {
                throw new IllegalArgumentException("two variants named '" + v.name() + "' (or one named like the "
                        + "current build, 'current')");
            }
        }
        this.variants = List.copyOf(variants);
        this.rounds = profile.rounds;
        this.teardownWarmups = profile.singleShotWarmups;
        this.groups = profile.groups.clone();
    }

    /**
     * Runs {@code n} warm-up teardowns in each teardown fork before the measured ones, instead of the profile's
     * one or two: the teardown of a JVM that has run the teardown paths before (their code compiled), as in a
     * suite's later tests, rather than of a JVM that compiles them while it measures.
     */
    public Harness teardownWarmups(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("teardown warm-ups must not be negative, not " + n);
        }
        this.teardownWarmups = n;
        return this;
    }

    /** The teardown section's numbers of groups instead of the profile's (10, 100 and 1,000). */
    public Harness groups(int... n) {
        if (n.length == 0 || Arrays.stream(n).anyMatch(g -> g < 1)) {
            throw new IllegalArgumentException("groups must be positive numbers, not " + Arrays.toString(n));
        }
        this.groups = n.clone();
        return this;
    }

    /**
     * Runs the JMH sections in {@code n} rounds instead of the profile's: more rounds, more forks per
     * contender, for a ratio whose interval the profile leaves too wide (a variant that differs by a few
     * percent); the forks, not the iterations within one, carry most of the noise of a busy machine.
     */
    public Harness rounds(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, not " + n);
        }
        this.rounds = n;
        return this;
    }

    /**
     * What a run produced: every measure by key, the target verdicts, any stray processes found, and
     * what each JMH fork reported about the library it loaded.
     */
    public record Report(Map<String, Measure> measures, List<String> targets, List<String> strays, Path markdown,
            Path plot, List<ForkCheck> forkChecks) {
    }

    /**
     * One fork's {@link LibraryCheck} line: the variant, the section and benchmark (JMH's id, with its
     * parameters), the fork's pid, where its {@code ProcessScope} came from, and the variant's system
     * properties as the fork saw them.
     */
    public record ForkCheck(String variant, String section, String benchmark, long pid, Path library,
            Map<String, String> properties) {
        static ForkCheck parse(String section, String line) {
            Map<String, String> fields = new LinkedHashMap<>();
            Map<String, String> properties = new LinkedHashMap<>();
            for (String field : line.split("\t")) {
                int eq = field.indexOf('=');
                if (eq < 0) {
                    throw new IllegalStateException("malformed library check line: " + line);
                }
                String key = field.substring(0, eq);
                if (key.startsWith("property.")) {
                    properties.put(key.substring("property.".length()), field.substring(eq + 1));
                } else {
                    fields.put(key, field.substring(eq + 1));
                }
            }
            return new ForkCheck(fields.get("variant"), section, fields.get("benchmark"), Long.parseLong(fields.get("pid")),
                    Path.of(fields.get("library")), Map.copyOf(properties));
        }
    }

    /** The current build's time divided by a variant's, for one benchmark. */
    private record Comparison(String benchmark, Variant variant, Measure currentOverVariant) {
    }

    /** One benchmark's measure and its per-round values (iteration medians or single shots), for pairing. */
    record Sample(Measure measure, List<double[]> rounds) {
        Measure ratioTo(Sample base) {
            return Measure.pairedRatio(rounds, base.rounds);
        }
    }

    public Report run(Collection<String> sections) throws IOException, RunnerException, InterruptedException {
        Files.createDirectories(out);
        forkDir = Files.createTempDirectory("mp-benchmarks-" + runId + "-");
        try {
            prepareVariants();
            return runSections(sections);
        } finally {
            try (var files = Files.list(forkDir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(forkDir);
        }
    }

    private Report runSections(Collection<String> sections) throws IOException, RunnerException, InterruptedException {
        System.setProperty(Benchmarks.RUN_PROPERTY, runId); // for benchmarks run in this JVM (SMOKE)
        Instant began = Instant.now();
        String machine = Machine.describe();
        console.println("managed-processes benchmarks, profile " + profile
                + (rounds != profile.rounds ? " in " + rounds + " rounds" : "") + ", run " + runId);
        console.println(machine);
        load("start");
        md.append("# Benchmark results (profile ").append(profile).append(")\n\n");
        md.append("Produced by `benchmarks/run.sh ").append(profile == Profile.FULL ? "--full" : "--quick")
                .append(rounds != profile.rounds ? " --rounds " + rounds : "")
                .append(teardownWarmups != profile.singleShotWarmups ? " --teardown-warmups " + teardownWarmups : "")
                .append(Arrays.equals(groups, profile.groups) ? ""
                        : " --groups " + Arrays.stream(groups).mapToObj(Integer::toString).collect(Collectors.joining(",")))
                .append("`")
                .append(profile == Profile.SMOKE ? " (smoke profile: not a measurement)" : "")
                .append(" on ").append(began.truncatedTo(ChronoUnit.SECONDS)).append(", run id `").append(runId)
                .append("`.\n\n```\n").append(machine).append("\n```\n\n");
        md.append("Times are medians with 95% confidence intervals in brackets. Ratios are against the baseline "
                + "measured in the same run, paired by round and iteration (geometric mean and 95% CI); below 1 is "
                + "faster or smaller than the baseline. Method: BENCHMARKS.md.\n\n");
        try {
            for (String section : SECTIONS) {
                if (!sections.contains(section)) {
                    continue;
                }
                switch (section) {
                    case "spawn" -> spawn();
                    case "capture" -> capture();
                    case "latency" -> latency();
                    case "teardown" -> teardown();
                    case "footprint" -> footprint();
                    case "coldstart" -> coldStart();
                    default -> throw new IllegalArgumentException(section);
                }
                load("after " + section);
            }
        } finally {
            findStrays();
        }
        variantSummary();
        md.append("## (6) Leak detector overhead\n\nNot a JMH benchmark: `benchmarks/leak-overhead.sh` runs 500 tiny tests "
                + "through a JUnit launcher with the detector off and on (target <= 0.5 ms per test); its numbers are in "
                + "BENCHMARKS.md.\n\n");
        if (!targets.isEmpty()) {
            md.append("## Targets\n\n| Target | Result |\n|---|---|\n");
            for (String t : targets) {
                int bar = t.indexOf(" :: ");
                md.append("| ").append(t, 0, bar).append(" | ").append(t.substring(bar + 4)).append(" |\n");
            }
            md.append('\n');
        }
        md.append("## Load\n\nAt each step: `/proc/loadavg` (1, 5, 15-minute load averages, running/total threads, last pid; "
                + "the machine has ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs), CPU pressure "
                + "(`/proc/pressure/cpu`: share of time some runnable thread waited for a CPU) and the number of "
                + "processes on the machine. The benchmarks' own processes count too.\n\n```\n");
        loads.forEach(l -> md.append(l).append('\n'));
        md.append("```\n\nStray processes after the run: ").append(strays.isEmpty() ? "none" : String.join(", ", strays))
                .append(".\nTotal time: ").append(Math.round((Instant.now().toEpochMilli() - began.toEpochMilli()) / 1000.0))
                .append(" s.\n");
        md.append("Raw values (per-iteration medians or single shots, per round): `raw.csv`.\n");
        Files.write(out.resolve("raw.csv"), raw, StandardCharsets.UTF_8);
        Path markdown = out.resolve("results.md");
        Files.writeString(markdown, md.toString(), StandardCharsets.UTF_8);
        Path plot = null;
        if (!teardownManaged.isEmpty() && !teardownFloor.isEmpty()) {
            plot = out.resolve("teardown-vs-groups.png");
            List<TeardownPlot.Series> series = new ArrayList<>(List.of(
                    TeardownPlot.managed(teardownManaged, !teardownVariants.isEmpty()), TeardownPlot.floor(teardownFloor)));
            int index = 0;
            for (Map.Entry<Variant, Map<Integer, Measure>> e : teardownVariants.entrySet()) {
                series.add(TeardownPlot.variant(e.getKey().label(), index++, e.getValue()));
            }
            TeardownPlot.draw(plot, series, teardownRatios, List.of(Machine.oneLine(), "profile " + profile + ", run "
                            + runId + " on " + began.truncatedTo(ChronoUnit.SECONDS) + "; load averages at start "
                            + loads.get(0).replaceAll("^start:\\s+loadavg ", "").replaceAll(" [0-9]+/.*", "")));
        }
        console.println();
        console.println("Targets:");
        targets.forEach(t -> console.println("  " + t.replace(" :: ", ": ")));
        console.println("Strays after the run: " + (strays.isEmpty() ? "none" : strays));
        console.println("Wrote " + markdown + (plot != null ? " and " + plot : ""));
        return new Report(Map.copyOf(measures), List.copyOf(targets), List.copyOf(strays), markdown, plot,
                List.copyOf(forkChecks));
    }

    // ---------------------------------------------------------------- sections

    private void spawn() throws RunnerException, IOException {
        section("(1) Spawn /bin/true and wait for its exit", "µs per process");
        Map<String, Sample> r = jmh("spawn", "SpawnBenchmark\\.", "SpawnBenchmark\\.managedProcesses$", Mode.SampleTime,
                TimeUnit.MICROSECONDS, null);
        ratioTable("spawn", r, "jdk", List.of(
                row("managedProcesses", "managed-processes: scope.start(...).waitFor()"),
                row("jdk", "JDK ProcessBuilder.start().waitFor() (baseline)"),
                row("ztExec", "zt-exec 1.13.0 ProcessExecutor.execute()"),
                row("commonsExec", "Commons Exec 1.6.0 DefaultExecutor.execute()"),
                row("nuProcess", "NuProcess 3.0.0 start() + waitFor()"),
                row("rawPosixSpawn", "reference: raw posix_spawnp + waitpid, no pipes")), "µs");
        Measure ours = r.get("managedProcesses").ratioTo(r.get("jdk"));
        target("(1) spawn+wait <= 0.5x the JDK", ours.verdict(0.5), ours.formatRatio());
        Measure nu = r.get("managedProcesses").ratioTo(r.get("nuProcess"));
        target("(1) spawn+wait faster than NuProcess", nu.verdict(1), nu.formatRatio() + " NuProcess's time");
    }

    private void capture() throws RunnerException, IOException {
        section("(2) Spawn sh -c 'echo hello', capture stdout, wait", "µs per process");
        Map<String, Sample> r = jmh("capture", "CaptureBenchmark\\.", null, Mode.SampleTime, TimeUnit.MICROSECONDS, null);
        ratioTable("capture", r, "jdk", List.of(
                row("managedProcesses", "managed-processes: start, waitFor(), stdout().text()"),
                row("jdk", "JDK: start, readAllBytes(), waitFor() (baseline)"),
                row("ztExec", "zt-exec: readOutput(true).execute().outputUTF8()"),
                row("commonsExec", "Commons Exec: PumpStreamHandler into a byte array"),
                row("nuProcess", "NuProcess: onStdout handler, waitFor()")), "µs");
    }

    private void latency() throws RunnerException, IOException {
        section("(3) Exit-notification latency: SIGKILL to a running sleep until the handle reports the exit",
                "µs");
        Map<String, Sample> r = new LinkedHashMap<>(jmh("latency", "ExitLatencyBenchmark\\.(managed|jdk|raw)"
                + "(WaitFor|OnExit|Waitpid)$|ExitLatencyBenchmark\\.managedNonChildWaitFor$",
                "ExitLatencyBenchmark\\.managed(WaitFor|OnExit|NonChildWaitFor)$", Mode.SampleTime,
                TimeUnit.MICROSECONDS, null));
        // The JDK polls non-children (300 ms, +30 ms per round): few invocations fit an iteration.
        r.putAll(jmh("latency-nonchild", "ExitLatencyBenchmark\\.jdkNonChildOnExit$", null, Mode.SampleTime,
                TimeUnit.MICROSECONDS, o -> o.warmupIterations(0)
                        .measurementIterations(profile.nonChildIterations)
                        .measurementTime(TimeValue.milliseconds(Math.max(profile.iterationMillis * 2L, 50)))));
        Measure floor = r.containsKey("rawWaitpid") ? r.get("rawWaitpid").measure() : null;
        List<Variant> measured = variantsIn(r);
        md.append("| Handle | median µs [95% CI] | ratio to the JDK's | above the floor, µs |")
                .append(measured.isEmpty() ? "\n|---|---|---|---|\n"
                        : " current ÷ variant [95% CI] |\n|---|---|---|---|---|\n");
        String[][] rows = {
            {"rawWaitpid", "floor: kill + a blocking waitpid (no library)", null},
            {"managedWaitFor", "managed-processes child: waitFor()", "jdkWaitFor"},
            {"jdkWaitFor", "JDK child: Process.waitFor() (baseline)", "jdkWaitFor"},
            {"managedOnExit", "managed-processes child: onExit().join()", "jdkOnExit"},
            {"jdkOnExit", "JDK child: Process.onExit().join() (baseline)", "jdkOnExit"},
            {"managedNonChildWaitFor", "managed-processes, adopted non-child (pidfd): waitFor()", "jdkNonChildOnExit"},
            {"jdkNonChildOnExit", "JDK non-child: ProcessHandle.onExit().join() (baseline)", "jdkNonChildOnExit"},
        };
        for (String[] row : rows) {
            Sample sample = r.get(row[0]);
            if (sample == null) {
                continue;
            }
            Measure m = sample.measure();
            Sample base = row[2] == null ? null : r.get(row[2]);
            String ratio = base == null ? "" : sample.ratioTo(base).formatRatio();
            String above = floor == null || row[0].equals("rawWaitpid") ? "" : Measure.fmt(m.center() - floor.center());
            boolean varied = measured.stream().anyMatch(v -> r.containsKey(variantKey(row[0], v)));
            String label = row[1] + (varied ? " (current build)" : "");
            md.append("| ").append(label).append(" | ").append(m.format()).append(" | ").append(ratio).append(" | ")
                    .append(above).append(measured.isEmpty() ? " |\n" : " | |\n");
            console.printf(Locale.ROOT, "  %-58s %22s µs  %s%n", label, m.format(), ratio);
            measures.put("latency/" + row[0], m);
            for (Variant v : measured) {
                Sample vs = r.get(variantKey(row[0], v));
                if (vs == null) {
                    continue;
                }
                String key = variantKey(row[0], v);
                Measure vm = vs.measure();
                Measure current = sample.ratioTo(vs);
                String vratio = base == null ? "" : vs.ratioTo(base).formatRatio();
                String vlabel = v.label() + ", the same";
                md.append("| ").append(vlabel).append(" | ").append(vm.format()).append(" | ").append(vratio).append(" | ")
                        .append(floor == null ? "" : Measure.fmt(vm.center() - floor.center())).append(" | ")
                        .append(current.formatRatio()).append(" |\n");
                console.printf(Locale.ROOT, "  %-58s %22s µs  %s  current ÷ %s: %s%n", vlabel, vm.format(), vratio,
                        v.name(), current.formatRatio());
                measures.put("latency/" + key, vm);
                measures.put("latency/current-over/" + key, current);
                comparisons.add(new Comparison("(3) " + row[1], v, current));
            }
        }
        md.append('\n');
        Measure ours = r.get("managedWaitFor").measure();
        target("(3) exit notification <= 1 ms median", ours.verdict(1000),
                Measure.fmt(ours.center()) + " µs median (waitFor), " + Measure.fmt(r.get("managedOnExit").measure().center())
                        + " µs (onExit)");
    }

    private void teardown() throws RunnerException, IOException {
        section("(4) Teardown of N live SIGTERM-obedient process groups", "ms per teardown");
        String[] groupParams = new String[groups.length];
        for (int i = 0; i < groupParams.length; i++) {
            groupParams[i] = Integer.toString(groups[i]);
        }
        Map<String, Sample> r = jmh("teardown", "TeardownBenchmark\\.", "TeardownBenchmark\\.managedProcesses$",
                Mode.SingleShotTime, TimeUnit.MILLISECONDS,
                o -> o.warmupIterations(teardownWarmups).measurementIterations(profile.singleShotIterations)
                        .param("groups", groupParams));
        // The target is for a JVM whose JIT is done with the teardown's code; a fork's first teardowns are not that
        // (BENCHMARKS.md, "Twelfth round"): say which the verdict is about.
        String warmed = teardownWarmups >= STEADY_TEARDOWN_WARMUPS
                ? " after " + teardownWarmups + " warm-up teardowns per fork"
                : ", in each fork's teardowns " + (teardownWarmups + 1) + (profile.singleShotIterations > 1 ? "-"
                        + (teardownWarmups + profile.singleShotIterations) : "") + " (the target is for a JIT done with"
                        + " them: --teardown-warmups " + STEADY_TEARDOWN_WARMUPS + ")";
        if (teardownWarmups != profile.singleShotWarmups) {
            md.append("Each fork ran ").append(teardownWarmups).append(" warm-up teardowns (`--teardown-warmups ")
                    .append(teardownWarmups).append("`) before the measured ones, not the profile's ")
                    .append(profile.singleShotWarmups).append(".\n\n");
            console.println("  (" + teardownWarmups + " warm-up teardowns per fork)");
        }
        md.append("| Groups | managed-processes close(), ms | floor (killpg + waitpid), ms | ratio to the floor |\n"
                + "|---|---|---|---|\n");
        teardownManaged = new TreeMap<>();
        teardownFloor = new TreeMap<>();
        for (int n : groups) {
            Sample ms = r.get("managedProcesses@" + n);
            Sample fs = r.get("rawKillpgWaitpid@" + n);
            if (ms == null || fs == null) {
                continue;
            }
            Measure m = ms.measure();
            Measure f = fs.measure();
            teardownManaged.put(n, m);
            teardownFloor.put(n, f);
            Measure ratio = ms.ratioTo(fs);
            measures.put("teardown/managed@" + n, m);
            measures.put("teardown/floor@" + n, f);
            measures.put("teardown/ratio@" + n, ratio);
            teardownRatios.put(n, ratio);
            md.append("| ").append(n).append(" | ").append(m.format()).append(" | ").append(f.format()).append(" | ")
                    .append(ratio.formatRatio()).append(" |\n");
            console.printf(Locale.ROOT, "  %5d groups: managed %22s ms, floor %22s ms, %s%n", n, m.format(), f.format(),
                    ratio.formatRatio());
        }
        md.append('\n');
        teardownVariantTable(r);
        md.append("![teardown time vs number of groups](teardown-vs-groups.png)\n\n");
        Measure at100 = measures.get("teardown/ratio@100");
        if (at100 != null) {
            target("(4) teardown of 100 groups <= 1.5x the raw floor" + warmed, at100.verdict(1.5), at100.formatRatio());
        }
    }

    /** Each variant's teardowns beside the current build's, and the current build's time divided by theirs. */
    private void teardownVariantTable(Map<String, Sample> r) {
        List<Variant> measured = variantsIn(r);
        if (measured.isEmpty()) {
            return;
        }
        md.append("| Groups | library | close(), ms | ratio to the floor | current ÷ variant [95% CI] |\n"
                + "|---|---|---|---|---|\n");
        for (int n : groups) {
            Sample ms = r.get("managedProcesses@" + n);
            Sample fs = r.get("rawKillpgWaitpid@" + n);
            if (ms == null || fs == null) {
                continue;
            }
            md.append("| ").append(n).append(" | ").append(Variant.CURRENT.label()).append(" | ")
                    .append(ms.measure().format()).append(" | ").append(ms.ratioTo(fs).formatRatio()).append(" | |\n");
            for (Variant v : measured) {
                Sample vs = r.get(variantKey("managedProcesses@" + n, v));
                if (vs == null) {
                    continue;
                }
                Measure vm = vs.measure();
                Measure toFloor = vs.ratioTo(fs);
                Measure current = ms.ratioTo(vs);
                teardownVariants.computeIfAbsent(v, k -> new TreeMap<>()).put(n, vm);
                measures.put("teardown/" + variantKey("managed@" + n, v), vm);
                measures.put("teardown/" + variantKey("ratio@" + n, v), toFloor);
                measures.put("teardown/" + variantKey("current-over@" + n, v), current);
                comparisons.add(new Comparison("(4) teardown, " + n + " groups", v, current));
                md.append("| ").append(n).append(" | ").append(v.label()).append(" | ").append(vm.format()).append(" | ")
                        .append(toFloor.formatRatio()).append(" | ").append(current.formatRatio()).append(" |\n");
                console.printf(Locale.ROOT, "  %5d groups: %-28s %22s ms, %s the floor; current ÷ %s: %s%n", n, v.name(),
                        vm.format(), toFloor.formatRatio(), v.name(), current.formatRatio());
            }
        }
        md.append('\n');
    }

    private void footprint() throws IOException, InterruptedException {
        int n = profile.footprintProcesses;
        section("(5) Threads and memory with " + n + " live processes (fresh JVM each, deltas from before the first start)",
                "");
        List<Map<String, String>> managed = new ArrayList<>();
        List<Map<String, String>> jdk = new ArrayList<>();
        List<Map<String, String>> managedFew = new ArrayList<>();
        for (int i = 0; i < profile.footprintRepeats; i++) {
            managed.add(childJvm(Footprint.class, "managed", Integer.toString(n)));
            jdk.add(childJvm(Footprint.class, "jdk", Integer.toString(n)));
            managedFew.add(childJvm(Footprint.class, "managed", "10"));
        }
        for (Map<String, String> m : managed) {
            raw.add("footprint,managed" + n + ",1,," + new TreeMap<>(m));
        }
        for (Map<String, String> m : jdk) {
            raw.add("footprint,jdk" + n + ",1,," + new TreeMap<>(m));
        }
        for (Map<String, String> m : managedFew) {
            raw.add("footprint,managed10,1,," + new TreeMap<>(m));
        }
        md.append("| ").append(String.join(" | ", "Processes", "JVM threads", "library threads", "heap after GC, MiB",
                "RSS, MiB", "open fds", "start all, ms", "teardown all, ms")).append(" |\n|---|---|---|---|---|---|---|---|\n");
        footprintRow("managed-processes, " + n, managed);
        footprintRow("JDK ProcessBuilder, " + n + " (baseline)", jdk);
        footprintRow("managed-processes, 10", managedFew);
        md.append('\n');
        String[] keys = {"threads", "heapBytes", "rssBytes"};
        StringBuilder ratios = new StringBuilder();
        for (String key : keys) {
            double a = medianOf(managed, key);
            double b = medianOf(jdk, key);
            Measure ratio = new Measure(a / b, Double.NaN, Double.NaN, managed.size());
            measures.put("footprint/ratio/" + key, ratio);
            ratios.append(key).append(' ').append(ratio.formatRatio()).append("; ");
        }
        md.append("Ratios to the JDK at ").append(n).append(" processes: ").append(ratios).append("\n\n");
        md.append("Threads that appeared (names, digits folded to N): managed-processes with ").append(n).append(": `")
                .append(managed.get(0).getOrDefault("newThreads", "?")).append("`; with 10: `")
                .append(managedFew.get(0).getOrDefault("newThreads", "?")).append("`; JDK: `")
                .append(jdk.get(0).getOrDefault("newThreads", "?")).append("`.\n\n");
        console.println("  ratios to the JDK: " + ratios);
        // Every thread that appeared counts against the library, its own (named managed-processes-*) and
        // those of what it loads (jffi may start a Cleaner).
        int threadsFew = (int) medianOf(managedFew, "threads");
        int threadsMany = (int) medianOf(managed, "threads");
        int libraryThreads = Math.max(threadsFew, threadsMany);
        measures.put("footprint/libraryThreads", new Measure(libraryThreads, Double.NaN, Double.NaN, managed.size()));
        target("(5) library threads <= 4 whatever the number of processes", libraryThreads <= 4 ? "met" : "MISSED",
                threadsFew + " new JVM threads with 10 processes, " + threadsMany + " with " + n + ", of which "
                        + (int) medianOf(managed, "libraryThreads") + " named managed-processes-*; the JDK: "
                        + (int) medianOf(jdk, "reaperThreads") + " reaper threads");
    }

    private void footprintRow(String label, List<Map<String, String>> runs) {
        String[] keys = {"threads", "libraryThreads", "heapBytes", "rssBytes", "fds", "startMicros", "teardownMicros"};
        double[] scale = {1, 1, 1.0 / (1 << 20), 1.0 / (1 << 20), 1, 1e-3, 1e-3};
        StringBuilder line = new StringBuilder("| " + label);
        String[] shown = {"threads", "libraryThreads", "heapMiB", "rssMiB", "fds", "startAllMs", "teardownAllMs"};
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  %-40s", label));
        for (int i = 0; i < keys.length; i++) {
            String key = keys[i];
            String v = keys[i].equals("libraryThreads") && label.startsWith("JDK")
                    ? Measure.fmt(medianOf(runs, "reaperThreads")) + " reaper"
                    : Measure.fmt(medianOf(runs, key) * scale[i]);
            if (runs.size() > 1) {
                v += " (" + Measure.fmt(minOf(runs, key) * scale[i]) + "–" + Measure.fmt(maxOf(runs, key) * scale[i]) + ")";
            }
            line.append(" | ").append(v);
            text.append(' ').append(shown[i]).append('=').append(v);
        }
        md.append(line).append(" |\n");
        console.println(text);
    }

    private void coldStart() throws IOException, InterruptedException {
        int k = profile.coldStarts;
        // Variants with JVM options only (e.g. -Dmanagedprocesses.platform=portable): each runs the managed cold
        // start once more per iteration, right after the current build's, with its options. A variant with a
        // library of its own is measured by the JMH sections only.
        List<Variant> optionVariants = variants.stream().filter(v -> v.library().isEmpty()).toList();
        section("(7) Cold start: the first process in a fresh JVM (" + k + " JVMs each, alternating)",
                "ms from the first line of main()");
        List<Double> managedStart = new ArrayList<>();
        List<Double> jdkStart = new ArrayList<>();
        List<Double> managedExit = new ArrayList<>();
        List<Double> jdkExit = new ArrayList<>();
        List<Double> managedUptime = new ArrayList<>();
        List<Double> jdkUptime = new ArrayList<>();
        Map<Variant, List<Map<String, String>>> variantRuns = new LinkedHashMap<>();
        optionVariants.forEach(v -> variantRuns.put(v, new ArrayList<>()));
        for (int i = 0; i < k; i++) {
            Map<String, String> m = childJvm(List.of(), ColdStart.class, "managed");
            for (Variant v : optionVariants) {
                variantRuns.get(v).add(childJvm(v.jvmArgs(), ColdStart.class, "managed"));
            }
            Map<String, String> j = childJvm(List.of(), ColdStart.class, "jdk");
            managedStart.add(Double.parseDouble(m.get("startMicros")) / 1000);
            managedExit.add(Double.parseDouble(m.get("exitMicros")) / 1000);
            managedUptime.add(Double.parseDouble(m.get("uptimeAtStartMillis")));
            jdkStart.add(Double.parseDouble(j.get("startMicros")) / 1000);
            jdkExit.add(Double.parseDouble(j.get("exitMicros")) / 1000);
            jdkUptime.add(Double.parseDouble(j.get("uptimeAtStartMillis")));
        }
        raw.add("coldstart,managedStart,1,milliseconds," + join(managedStart));
        raw.add("coldstart,jdkStart,1,milliseconds," + join(jdkStart));
        raw.add("coldstart,managedExit,1,milliseconds," + join(managedExit));
        raw.add("coldstart,jdkExit,1,milliseconds," + join(jdkExit));
        Measure ms = Measure.ofSamples(array(managedStart));
        Measure js = Measure.ofSamples(array(jdkStart));
        Measure me = Measure.ofSamples(array(managedExit));
        Measure je = Measure.ofSamples(array(jdkExit));
        // Each managed JVM ran right before a JDK one: pair them.
        Measure diff = Measure.ofSamples(pairedDifferences(managedStart, jdkStart));
        Measure diffExit = Measure.ofSamples(pairedDifferences(managedExit, jdkExit));
        Measure ratioStart = Measure.pairedRatio(List.of(array(managedStart)), List.of(array(jdkStart)));
        Measure ratioExit = Measure.pairedRatio(List.of(array(managedExit)), List.of(array(jdkExit)));
        measures.put("coldstart/managed", ms);
        measures.put("coldstart/jdk", js);
        measures.put("coldstart/difference", diff);
        md.append("| First process | start() returned, ms | exit seen, ms | JVM uptime at start(), ms |\n|---|---|---|---|\n");
        md.append("| managed-processes: ProcessScope.open().start(\"/bin/true\") | ").append(ms.format()).append(" | ")
                .append(me.format()).append(" | ").append(Measure.fmt(Measure.median(array(managedUptime)))).append(" |\n");
        List<String> variantLines = new ArrayList<>();
        List<String> variantConsole = new ArrayList<>();
        for (Map.Entry<Variant, List<Map<String, String>>> e : variantRuns.entrySet()) {
            String name = e.getKey().name();
            List<Double> start = new ArrayList<>();
            List<Double> exit = new ArrayList<>();
            List<Double> uptime = new ArrayList<>();
            for (Map<String, String> run : e.getValue()) {
                start.add(Double.parseDouble(run.get("startMicros")) / 1000);
                exit.add(Double.parseDouble(run.get("exitMicros")) / 1000);
                uptime.add(Double.parseDouble(run.get("uptimeAtStartMillis")));
            }
            raw.add("coldstart,managedStart[" + name + "],1,milliseconds," + join(start));
            raw.add("coldstart,managedExit[" + name + "],1,milliseconds," + join(exit));
            Measure vs = Measure.ofSamples(array(start));
            Measure vdiff = Measure.ofSamples(pairedDifferences(start, jdkStart));
            Measure vratio = Measure.pairedRatio(List.of(array(start)), List.of(array(jdkStart)));
            Measure vratioExit = Measure.pairedRatio(List.of(array(exit)), List.of(array(jdkExit)));
            measures.put("coldstart/managed[" + name + "]", vs);
            measures.put("coldstart/difference[" + name + "]", vdiff);
            md.append("| managed-processes [").append(name).append(": ").append(String.join(" ", e.getKey().jvmArgs()))
                    .append("] | ").append(vs.format()).append(" | ").append(Measure.ofSamples(array(exit)).format())
                    .append(" | ").append(Measure.fmt(Measure.median(array(uptime)))).append(" |\n");
            variantLines.add("| difference [" + name + "] (paired with the JDK) | " + vdiff.format() + " | "
                    + Measure.ofSamples(pairedDifferences(exit, jdkExit)).format() + " | |\n");
            variantLines.add("| ratio [" + name + "] | " + vratio.formatRatio() + " | " + vratioExit.formatRatio() + " | |\n");
            variantConsole.add(String.format(Locale.ROOT, "  first start() [%s]: %s ms, difference to the JDK %s ms (%s)",
                    name, vs.format(), vdiff.format(), vratio.formatRatio()));
        }
        md.append("| JDK: new ProcessBuilder(\"/bin/true\").start() (baseline) | ").append(js.format()).append(" | ")
                .append(je.format()).append(" | ").append(Measure.fmt(Measure.median(array(jdkUptime)))).append(" |\n");
        md.append("| difference (paired) | ").append(diff.format()).append(" | ").append(diffExit.format()).append(" | |\n");
        md.append("| ratio | ").append(ratioStart.formatRatio()).append(" | ").append(ratioExit.formatRatio())
                .append(" | |\n");
        variantLines.forEach(md::append);
        md.append('\n');
        if (optionVariants.size() < variants.size()) {
            md.append("Variants with a library of their own are measured in the JMH sections only.\n\n");
        }
        console.printf(Locale.ROOT, "  first start(): managed %s ms, JDK %s ms, difference %s ms (%s)%n", ms.format(),
                js.format(), diff.format(), ratioStart.formatRatio());
        variantConsole.forEach(console::println);
        target("(7) cold start <= 150 ms over the JDK's first start()", diff.verdict(150),
                "+" + diff.format() + " ms");
    }

    // ---------------------------------------------------------------- JMH

    /**
     * Runs the matching benchmarks in {@link #rounds(int) rounds} (the profile's number unless set; one
     * fork per benchmark and round);
     * returns a sample per method name ({@code name@groups} for the teardown sizes).
     *
     * <p>{@code variantInclude} (null: none) names the section's managed-processes benchmarks. With
     * {@linkplain Variant variants}, a round runs the other contenders first, then the current build's
     * managed-processes benchmarks and each variant's back to back, in forks of their own (the order
     * of that group flips every round, so drifting load favours no side): the forks that "current ÷
     * variant" pairs are neighbours. Variant samples are keyed {@code name[variant]}. Every fork's
     * {@link LibraryCheck} report is read back; a fork of a {@code variantInclude} benchmark that did
     * not report fails the run.
     */
    private Map<String, Sample> jmh(String name, String include, String variantInclude, Mode mode, TimeUnit unit,
            Function<ChainedOptionsBuilder, ChainedOptionsBuilder> tweak) throws RunnerException, IOException {
        Map<String, List<double[]>> byRound = new LinkedHashMap<>();
        boolean withVariants = variantInclude != null && !variants.isEmpty();
        List<Variant> group = new ArrayList<>();
        group.add(Variant.CURRENT);
        group.addAll(variants);
        for (int round = 1; round <= rounds; round++) {
            if (!withVariants) {
                runJmh(name, "", round, Variant.CURRENT, include, null, variantInclude, mode, unit, tweak, byRound);
                continue;
            }
            runJmh(name, "", round, Variant.CURRENT, include, variantInclude, null, mode, unit, tweak, byRound);
            List<Variant> thisRound = new ArrayList<>(group);
            if (round % 2 == 0) {
                Collections.reverse(thisRound);
            }
            for (Variant v : thisRound) {
                runJmh(name, "-" + v.name(), round, v, variantInclude, null, variantInclude, mode, unit, tweak, byRound);
            }
        }
        Map<String, Sample> byName = new LinkedHashMap<>();
        for (Map.Entry<String, List<double[]>> e : byRound.entrySet()) {
            double[] all = e.getValue().stream().flatMapToDouble(java.util.Arrays::stream).toArray();
            Measure m = mode == Mode.SingleShotTime ? Measure.ofSamples(all)
                    : Measure.ofIterations(Measure.median(all), all);
            byName.put(e.getKey(), new Sample(m, e.getValue()));
        }
        return byName;
    }

    /**
     * One JMH run, one round, for one variant (or the current build): the benchmarks matching
     * {@code include} and not {@code exclude} (null: none); the log is {@code jmh-<name><tag>[-roundN].log}.
     */
    private void runJmh(String name, String tag, int round, Variant variant, String include, String exclude,
            String variantInclude, Mode mode, TimeUnit unit, Function<ChainedOptionsBuilder, ChainedOptionsBuilder> tweak,
            Map<String, List<double[]>> byRound) throws RunnerException, IOException {
        // The smoke profile runs in this JVM, but a variant needs a JVM of its own (its class path, its properties).
        boolean forked = !profile.inProcess || !variant.isCurrent();
        String log = out.resolve("jmh-" + name + tag + (rounds > 1 ? "-round" + round : "") + ".log").toString();
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(PACKAGE.replace(".", "\\.") + "\\." + include)
                .mode(mode)
                .timeUnit(unit)
                .forks(forked ? 1 : 0)
                .warmupIterations(profile.warmups)
                .warmupTime(TimeValue.milliseconds(profile.iterationMillis))
                .measurementIterations(profile.iterations)
                .measurementTime(TimeValue.milliseconds(profile.iterationMillis))
                .jvmArgs(forkArgs(variant).toArray(new String[0]))
                .shouldFailOnError(true)
                .output(log);
        Path launcher = launchers.get(variant.name());
        if (launcher != null) {
            o = o.jvm(launcher.toString());
        }
        if (exclude != null) {
            o = o.exclude(PACKAGE.replace(".", "\\.") + "\\." + exclude);
        }
        if (tweak != null) {
            o = tweak.apply(o);
        }
        console.println("  [jmh " + name + (tag.isEmpty() ? "" : ", " + tag.substring(1)) + "] round " + round
                + "/" + rounds + " (log: " + log + ")");
        Collection<RunResult> results;
        try {
            results = new Runner(o.build()).run();
        } catch (RunnerException | RuntimeException e) { // JMH throws the latter when a fork's JVM does not start
            printTail(Path.of(log));
            throw new RunnerException("JMH failed in " + name + " round " + round
                    + (variant.isCurrent() ? "" : " (variant " + variant.name() + ")") + "; its log: " + log, e);
        }
        for (RunResult rr : results) {
            String bench = rr.getParams().getBenchmark();
            String key = bench.substring(bench.lastIndexOf('.') + 1);
            String groups = rr.getParams().getParam("groups");
            if (groups != null) {
                key += "@" + groups;
            }
            if (!variant.isCurrent()) {
                key = variantKey(key, variant);
            }
            List<Double> values = new ArrayList<>();
            for (BenchmarkResult br : rr.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    values.add(ir.getPrimaryResult().getStatistics().getPercentile(50));
                }
            }
            byRound.computeIfAbsent(key, k -> new ArrayList<>()).add(array(values));
            raw.add(name + "," + key + "," + round + "," + unit.name().toLowerCase(Locale.ROOT) + ","
                    + values.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).collect(Collectors.joining(",")));
        }
        if (forked) {
            collectLibraryChecks(name, variant, results, variantInclude);
        }
    }

    /**
     * The fork's JVM arguments: heap, the run marker, what {@link LibraryCheck} needs to know, then the
     * variant's own (last, so they win over the harness's).
     */
    private List<String> forkArgs(Variant variant) {
        List<String> args = new ArrayList<>(List.of("-Xms512m", "-Xmx512m", "-D" + Benchmarks.RUN_PROPERTY + "=" + runId,
                "-D" + LibraryCheck.VARIANT + "=" + variant.name(),
                "-D" + LibraryCheck.LIBRARY + "=" + libraryRoots.get(variant.name()),
                "-D" + LibraryCheck.REPORT + "=" + checkFile));
        if (!variant.properties().isEmpty()) {
            args.add("-D" + LibraryCheck.PROPERTIES + "=" + String.join(",", variant.properties().keySet()));
        }
        args.addAll(variant.jvmArgs());
        return args;
    }

    /**
     * Reads what the run's forks reported ({@link LibraryCheck}); fails when one reported a property value
     * other than the variant's, or when a fork of a benchmark named by {@code variantInclude} reported nothing.
     */
    private void collectLibraryChecks(String section, Variant variant, Collection<RunResult> results,
            String variantInclude) throws IOException {
        List<String> lines = Files.exists(checkFile) ? Files.readAllLines(checkFile, StandardCharsets.UTF_8) : List.of();
        Set<String> reported = new HashSet<>();
        for (String line : lines.subList(checkLinesRead, lines.size())) {
            ForkCheck check = ForkCheck.parse(section, line);
            if (!variant.name().equals(check.variant())) {
                throw new IllegalStateException("a fork of the run of " + variant.name() + " reported as variant "
                        + check.variant() + ": " + line);
            }
            for (Map.Entry<String, String> p : variant.properties().entrySet()) {
                if (!p.getValue().equals(check.properties().get(p.getKey()))) {
                    throw new IllegalStateException("variant " + variant.name() + ": its fork saw -D" + p.getKey() + "="
                            + check.properties().get(p.getKey()) + ", not " + p.getValue() + ": " + line);
                }
            }
            if (forkChecks.stream().noneMatch(c -> c.variant().equals(check.variant()))) {
                console.println("    " + check.variant() + ": its fork loaded ProcessScope from " + check.library()
                        + (check.properties().isEmpty() ? "" : " and saw " + check.properties()));
            }
            forkChecks.add(check);
            reported.add(check.benchmark());
        }
        checkLinesRead = lines.size();
        if (variantInclude == null) {
            return;
        }
        Pattern named = Pattern.compile(PACKAGE.replace(".", "\\.") + "\\." + variantInclude);
        for (RunResult rr : results) {
            String id = rr.getParams().id();
            if (named.matcher(rr.getParams().getBenchmark()).find() && !reported.contains(id)) {
                throw new IllegalStateException("variant " + variant.name() + ": the fork of " + id + " never confirmed "
                        + "which library it loaded (reported: " + reported + "); a benchmark measured with variants needs "
                        + "a trial-level @Setup that calls LibraryCheck.once, as SpawnBenchmark has");
            }
        }
    }

    /**
     * Where each variant's forks must load the library from, and a launcher for each variant that has a
     * library of its own; fails before anything is measured when a library is not one.
     */
    private void prepareVariants() throws IOException {
        checkFile = forkDir.resolve("library-checks.txt");
        Path current = LibraryCheck.location(ProcessScope.class);
        libraryRoots.put(Variant.CURRENT.name(), current);
        String hostClassPath = System.getProperty("java.class.path");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        for (Variant v : variants) {
            if (v.library().isEmpty()) {
                libraryRoots.put(v.name(), current);
            } else {
                libraryRoots.put(v.name(), v.libraryRoot());
                String forkClassPath = v.forkClassPath(hostClassPath, current);
                launchers.put(v.name(), v.writeLauncher(forkDir, java, hostClassPath, forkClassPath));
            }
        }
    }

    /** The variants whose samples are in {@code r}. */
    private List<Variant> variantsIn(Map<String, Sample> r) {
        return variants.stream().filter(v -> r.keySet().stream().anyMatch(k -> k.endsWith("[" + v.name() + "]"))).toList();
    }

    private static String variantKey(String key, Variant variant) {
        return key + "[" + variant.name() + "]";
    }

    /** The variants (what their forks loaded and saw) and every "current ÷ variant" ratio in one table. */
    private void variantSummary() {
        if (variants.isEmpty()) {
            return;
        }
        md.append("## Library variants\n\n")
                .append("Each variant ran the managed-processes benchmarks of ").append(String.join(", ", VARIANT_SECTIONS))
                .append(" once per round in JMH forks of its own, right before or after the current build's run (the order "
                        + "flips every round). \"current ÷ variant\" pairs the current build with the variant by round and "
                        + "iteration, like every ratio here: below 1 the current build is faster; for an older build it is "
                        + "new/old. What each fork loaded was checked inside it (`LibraryCheck`).\n\n")
                .append("| Variant | library loaded by its forks | JVM arguments | system properties as its forks saw them "
                        + "| forks checked |\n|---|---|---|---|---|\n");
        List<Variant> all = new ArrayList<>();
        all.add(Variant.CURRENT);
        all.addAll(variants);
        for (Variant v : all) {
            List<ForkCheck> checks = forkChecks.stream().filter(c -> c.variant().equals(v.name())).toList();
            String libraries = checks.stream().map(c -> "`" + c.library() + "`").distinct()
                    .collect(Collectors.joining(", "));
            String seen = checks.stream().map(c -> c.properties().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")))
                    .distinct().collect(Collectors.joining("; "));
            md.append("| ").append(v.name()).append(" | ")
                    .append(libraries.isEmpty() ? "(not forked: " + libraryRoots.get(v.name()) + ")" : libraries)
                    .append(" | ")
                    .append(v.jvmArgs().isEmpty() ? "" : "`" + String.join(" ", v.jvmArgs()) + "`").append(" | ")
                    .append(seen).append(" | ").append(checks.size()).append(" |\n");
        }
        md.append('\n');
        if (comparisons.isEmpty()) {
            return;
        }
        md.append("| Benchmark |");
        variants.forEach(v -> md.append(" current ÷ ").append(v.name()).append(" |"));
        md.append("\n|---|").append("---|".repeat(variants.size())).append('\n');
        console.println();
        console.println("Current build ÷ variant (new/old for an older build; paired by round and iteration, 95% CI):");
        Map<String, Map<Variant, Measure>> byBenchmark = new LinkedHashMap<>();
        for (Comparison c : comparisons) {
            byBenchmark.computeIfAbsent(c.benchmark(), k -> new HashMap<>()).put(c.variant(), c.currentOverVariant());
        }
        for (Map.Entry<String, Map<Variant, Measure>> e : byBenchmark.entrySet()) {
            md.append("| ").append(e.getKey()).append(" |");
            StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  %-58s", e.getKey()));
            for (Variant v : variants) {
                Measure m = e.getValue().get(v);
                md.append(' ').append(m == null ? "" : m.formatRatio()).append(" |");
                if (m != null) {
                    text.append("  ").append(v.name()).append(": ").append(m.formatRatio());
                }
            }
            md.append('\n');
            console.println(text);
        }
        md.append('\n');
    }

    /** The end of a failed JMH run's log: why it failed (a fork's exception, a launcher's refusal). */
    private void printTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            console.println("  ---- last lines of " + log + " ----");
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> console.println("  " + l));
        } catch (IOException e) {
            console.println("  (cannot read " + log + ": " + e.getMessage() + ")");
        }
    }

    // ---------------------------------------------------------------- output helpers

    private record Row(String key, String label) {
    }

    private static Row row(String key, String label) {
        return new Row(key, label);
    }

    private void ratioTable(String section, Map<String, Sample> r, String baseline, List<Row> rows, String unit) {
        Sample base = r.get(baseline);
        List<Variant> measured = variantsIn(r);
        md.append("| Library | median ").append(unit).append(" [95% CI] | ratio to the JDK [95% CI] |")
                .append(measured.isEmpty() ? "\n|---|---|---|\n" : " current ÷ variant [95% CI] |\n|---|---|---|---|\n");
        for (Row row : rows) {
            Sample sample = r.get(row.key());
            if (sample == null) {
                continue;
            }
            Measure m = sample.measure();
            Measure ratio = sample.ratioTo(base);
            measures.put(section + "/" + row.key(), m);
            measures.put(section + "/ratio/" + row.key(), ratio);
            boolean varied = measured.stream().anyMatch(v -> r.containsKey(variantKey(row.key(), v)));
            String label = row.label() + (varied ? " (current build)" : "");
            md.append("| ").append(label).append(" | ").append(m.format()).append(" | ").append(ratio.formatRatio())
                    .append(measured.isEmpty() ? " |\n" : " | |\n");
            console.printf(Locale.ROOT, "  %-52s %24s %s  %s%n", label, m.format(), unit, ratio.formatRatio());
            for (Variant v : measured) {
                Sample vs = r.get(variantKey(row.key(), v));
                if (vs == null) {
                    continue;
                }
                String key = variantKey(row.key(), v);
                Measure vm = vs.measure();
                Measure vratio = vs.ratioTo(base);
                Measure current = sample.ratioTo(vs);
                measures.put(section + "/" + key, vm);
                measures.put(section + "/ratio/" + key, vratio);
                measures.put(section + "/current-over/" + key, current);
                comparisons.add(new Comparison("(" + (SECTIONS.indexOf(section) + 1) + ") " + section + ": " + row.label(), v,
                        current));
                String vlabel = v.label() + ", the same";
                md.append("| ").append(vlabel).append(" | ").append(vm.format()).append(" | ").append(vratio.formatRatio())
                        .append(" | ").append(current.formatRatio()).append(" |\n");
                console.printf(Locale.ROOT, "  %-52s %24s %s  %s  current ÷ %s: %s%n", vlabel, vm.format(), unit,
                        vratio.formatRatio(), v.name(), current.formatRatio());
            }
        }
        md.append('\n');
    }

    private void section(String title, String unit) {
        console.println();
        console.println(title + (unit.isEmpty() ? "" : " (" + unit + ")"));
        md.append("## ").append(title).append("\n\n");
    }

    private void target(String what, String verdict, String detail) {
        targets.add(what + " :: " + verdict + " (" + detail + ")");
    }

    /** Load averages, CPU pressure (PSI) and the number of processes on the machine (a /proc scan costs per process). */
    private void load(String when) {
        String avg;
        try {
            avg = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            avg = "unreadable";
        }
        String pressure = "";
        try {
            pressure = Files.readAllLines(Path.of("/proc/pressure/cpu")).get(0).replaceAll(" total=.*", "");
        } catch (IOException | IndexOutOfBoundsException e) {
            pressure = "n/a";
        }
        String[] names = new java.io.File("/proc").list();
        long processes = names == null ? -1 : java.util.Arrays.stream(names).filter(n -> n.chars().allMatch(Character::isDigit)).count();
        loads.add(String.format(Locale.ROOT, "%-18s loadavg %s | cpu pressure %s | %d processes", when + ":", avg, pressure,
                processes));
    }

    // ---------------------------------------------------------------- child JVMs and strays

    /** Runs {@code main} in a fresh JVM and parses the {@code key=value} words of its last output line. */
    private Map<String, String> childJvm(Class<?> main, String... args) throws IOException, InterruptedException {
        return childJvm(List.of(), main, args);
    }

    /** As {@link #childJvm(Class, String...)}, with extra JVM options after the harness's own (so they win). */
    private Map<String, String> childJvm(List<String> jvmArgs, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m", "-Xmx512m", "-D" + Benchmarks.RUN_PROPERTY + "=" + runId));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(main.getSimpleName() + " " + String.join(" ", args) + " failed (exit "
                    + p.exitValue() + "):\n" + output);
        }
        // The library states its containment once per JVM on stderr: expected, and not a result.
        String[] lines = output.strip().lines().filter(l -> !l.startsWith("managed-processes: containment: "))
                .toArray(String[]::new);
        Map<String, String> values = new HashMap<>();
        for (String word : lines[lines.length - 1].split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                values.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        if (lines.length > 1) {
            throw new IllegalStateException(main.getSimpleName() + " printed more than its result line:\n" + output);
        }
        return values;
    }

    /** Every process still carrying this run's marker is a stray: named, then killed. */
    private void findStrays() {
        strays.addAll(Benchmarks.killStrays(runId));
    }

    private static String join(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.3f", v)).collect(Collectors.joining(","));
    }

    private static double[] pairedDifferences(List<Double> a, List<Double> b) {
        double[] d = new double[Math.min(a.size(), b.size())];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i) - b.get(i);
        }
        return d;
    }

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double medianOf(List<Map<String, String>> runs, String key) {
        return Measure.median(runs.stream().mapToDouble(m -> Double.parseDouble(m.get(key))).toArray());
    }

    private static double minOf(List<Map<String, String>> runs, String key) {
        return runs.stream().mapToDouble(m -> Double.parseDouble(m.get(key))).min().orElse(Double.NaN);
    }

    private static double maxOf(List<Map<String, String>> runs, String key) {
        return runs.stream().mapToDouble(m -> Double.parseDouble(m.get(key))).max().orElse(Double.NaN);
    }

    /** The sections named on the command line, or all. */
    static Set<String> sections(List<String> names) {
        if (names.isEmpty()) {
            return Set.copyOf(SECTIONS);
        }
        for (String n : names) {
            if (!SECTIONS.contains(n)) {
                throw new IllegalArgumentException("unknown section '" + n + "'; known: " + SECTIONS);
            }
        }
        return Set.copyOf(names);
    }
}
