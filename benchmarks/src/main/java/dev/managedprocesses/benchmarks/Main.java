package dev.managedprocesses.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark command (see benchmarks/run.sh):
 *
 * <pre>Main [--quick | --full | --smoke] [--rounds N] [--out DIR] [--variant NAME[:ARG,...]]...
 *      [--variant-library NAME=CLASSPATH]... [section ...]</pre>
 *
 * Sections: spawn, capture, latency, teardown, footprint, coldstart (default: all; with variants:
 * spawn, latency, teardown, the sections that measure them; coldstart, when named, also measures the
 * variants that only add JVM options). {@code --variant} adds a configuration
 * of the current build (JVM arguments, comma-separated); {@code --variant-library} gives a variant
 * (new, or named by a {@code --variant} too) another build of the library: a jar or classes directory
 * followed by its dependencies, separated by {@code :}. run.sh's {@code --compare-with REV} builds
 * that revision's jar and passes it as {@code --variant-library @REV=...}.
 */
public final class Main {
    private Main() {
    }

    private static final String USAGE = """
            usage: run.sh [--quick | --full | --smoke] [--rounds N] [--teardown-warmups N] [--groups N,...]
                          [--out DIR] [--compare-with GIT-REV]
                          [--variant NAME[:-Dkey=value,...]]... [--variant-library NAME=JAR-OR-DIR[:DEPENDENCY...]]...
                          [section ...]
            sections: %s (default: all; with variants: %s; coldstart also measures variants of JVM options)
            --rounds N           rounds of the JMH sections instead of the profile's (quick 2, full 3)
            --teardown-warmups N warm-up teardowns per teardown fork instead of the profile's (quick 1, full 2):
                                 the teardown of a JVM that has run it before, its code compiled
            --groups N,...       the teardown section's numbers of groups (default 10,100,1000)
            --compare-with REV   (run.sh only) build the library at REV and measure it beside the current build
            --variant NAME:ARGS  the current build again, its forks started with ARGS (JVM options, comma-separated)
            --variant-library NAME=CLASSPATH  variant NAME runs on this library instead of the current build
            """;

    public static void main(String[] args) throws Exception {
        Harness.Profile profile = Harness.Profile.QUICK;
        Path out = Path.of("benchmarks", "results");
        List<String> sections = new ArrayList<>();
        Map<String, Variant> variants = new LinkedHashMap<>();
        Integer rounds = null;
        Integer teardownWarmups = null;
        int[] groups = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> profile = Harness.Profile.QUICK;
                case "--full" -> profile = Harness.Profile.FULL;
                case "--smoke" -> profile = Harness.Profile.SMOKE;
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--rounds" -> rounds = number(value(args, ++i, "--rounds"), "--rounds");
                case "--teardown-warmups" -> teardownWarmups = number(value(args, ++i, "--teardown-warmups"),
                        "--teardown-warmups");
                case "--groups" -> {
                    String[] parts = value(args, ++i, "--groups").split(",");
                    groups = new int[parts.length];
                    for (int g = 0; g < parts.length; g++) {
                        groups[g] = number(parts[g].trim(), "--groups");
                    }
                }
                case "--variant" -> {
                    Variant v = Variant.parse(value(args, ++i, "--variant"));
                    variants.merge(v.name(), v, (old, added) -> old.withJvmArgs(added.jvmArgs()));
                }
                case "--variant-library" -> {
                    String spec = value(args, ++i, "--variant-library");
                    int eq = spec.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--variant-library takes NAME=CLASSPATH, not '" + spec + "'");
                    }
                    String name = spec.substring(0, eq);
                    List<Path> library = Variant.classPath(spec.substring(eq + 1));
                    Variant v = variants.getOrDefault(name, Variant.parse(name));
                    if (!v.library().isEmpty()) {
                        throw new IllegalArgumentException("variant " + name + " was given two libraries");
                    }
                    variants.put(name, v.withLibrary(library));
                }
                case "--compare-with" -> throw new IllegalArgumentException("--compare-with is run.sh's: it builds the "
                        + "revision's jar first; call benchmarks/run.sh, or give a jar with --variant-library NAME=JAR");
                case "-h", "--help" -> {
                    System.out.printf(USAGE, String.join(" ", Harness.SECTIONS), String.join(" ", Harness.VARIANT_SECTIONS));
                    return;
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + args[i] + "; see --help");
                    }
                    sections.add(args[i]);
                }
            }
        }
        if (!variants.isEmpty()) {
            if (sections.isEmpty()) {
                sections.addAll(Harness.VARIANT_SECTIONS);
            } else if (sections.stream().noneMatch(Harness.VARIANT_SECTIONS::contains)) {
                throw new IllegalArgumentException("variants are measured in " + Harness.VARIANT_SECTIONS
                        + " only, and none of them was named (sections: " + sections + ")");
            }
        }
        Harness harness = new Harness(profile, out, System.out, List.copyOf(variants.values()));
        if (rounds != null) {
            harness.rounds(rounds);
        }
        if (teardownWarmups != null) {
            harness.teardownWarmups(teardownWarmups);
        }
        if (groups != null) {
            harness.groups(groups);
        }
        Harness.Report report = harness.run(Harness.sections(sections));
        if (!report.strays().isEmpty()) {
            System.err.println("Stray processes were left behind (and killed): " + report.strays());
            System.exit(1);
        }
    }

    private static int number(String n, String option) {
        try {
            return Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not '" + n + "'");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value; see --help");
        }
        return args[i];
    }
}
