package dev.managedprocesses.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark command (see benchmarks/run.sh):
 *
 * <pre>Main [--quick | --full | --smoke] [--out DIR] [section ...]</pre>
 *
 * Sections: spawn, capture, latency, teardown, footprint, coldstart (default: all).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Harness.Profile profile = Harness.Profile.QUICK;
        Path out = Path.of("benchmarks", "results");
        List<String> sections = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> profile = Harness.Profile.QUICK;
                case "--full" -> profile = Harness.Profile.FULL;
                case "--smoke" -> profile = Harness.Profile.SMOKE;
                case "--out" -> out = Path.of(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: run.sh [--quick | --full | --smoke] [--out DIR] [section ...]\n"
                            + "sections: " + String.join(" ", Harness.SECTIONS));
                    return;
                }
                default -> sections.add(args[i]);
            }
        }
        Harness.Report report = new Harness(profile, out, System.out).run(Harness.sections(sections));
        if (!report.strays().isEmpty()) {
            System.err.println("Stray processes were left behind (and killed): " + report.strays());
            System.exit(1);
        }
    }
}
