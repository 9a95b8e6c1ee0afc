package dev.managedprocesses.leaks;

import dev.managedprocesses.leaks.Finding.LeakedProcess;
import dev.managedprocesses.leaks.Finding.TestRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code leaks-<pid>-<random>.txt} (an indented process tree per finding) and {@code .json} (the
 * same, for tools), one pair per JVM so Surefire forks never overwrite each other. Rewritten after
 * every finding, so a fork that dies still leaves what was found so far. I/O problems are printed,
 * never thrown at the tests.
 */
final class LeakReport {
    private final LeakSettings settings;
    private final long jvmPid;
    private final String name;
    private final Instant started = Instant.now();
    private final String containment;

    LeakReport(LeakSettings settings, long jvmPid, String containment) {
        this.containment = containment;
        this.settings = settings;
        this.jvmPid = jvmPid;
        this.name = "leaks-" + jvmPid + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24) | 1 << 24)
                .substring(1);
    }

    Path textFile() {
        return settings.reportDirectory().resolve(name + ".txt");
    }

    Path jsonFile() {
        return settings.reportDirectory().resolve(name + ".json");
    }

    /** Rewrites both files; {@code janitors} are the crash-safety janitor pids the detector ignored. */
    void write(List<Finding> findings, Set<Long> janitors) {
        try {
            Files.createDirectories(settings.reportDirectory());
            replace(textFile(), text(findings, janitors));
            replace(jsonFile(), json(findings, janitors));
        } catch (IOException e) {
            System.err.println("managed-processes: could not write the leak report to " + settings.reportDirectory()
                    + ": " + e);
        }
    }

    private static void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static int processCount(List<Finding> findings) {
        return findings.stream().mapToInt(f -> f.processes().size()).sum();
    }

    String text(List<Finding> findings, Set<Long> janitors) {
        StringBuilder sb = new StringBuilder();
        sb.append("managed-processes leak report\n");
        sb.append("JVM pid ").append(jvmPid).append(", mode ").append(settings.mode().name().toLowerCase(Locale.ROOT))
                .append(", started ").append(started).append('\n');
        sb.append("containment: ").append(containment).append('\n');
        if (!janitors.isEmpty()) {
            // it runs beside the JVM for crash safety and started inside some test: said, so nobody wonders
            sb.append("janitor ").append(janitors.size() == 1 ? "pid " : "pids ")
                    .append(String.join(", ", janitors.stream().map(String::valueOf).toList())).append(" (ignored)\n");
        }
        int n = processCount(findings);
        sb.append(n).append(n == 1 ? " leaked process" : " leaked processes").append(" in ").append(findings.size())
                .append(findings.size() == 1 ? " finding" : " findings").append(".\n");
        int i = 1;
        for (Finding f : findings) {
            sb.append('\n').append(i++).append(". ");
            if (f.ambiguous()) {
                sb.append("[ambiguous: ").append(f.tests().size()).append(" candidates were running when it started]\n");
                for (TestRef t : f.tests()) {
                    sb.append("   candidate: ").append(t.displayName()).append("  (").append(t.uniqueId()).append(")\n");
                }
            } else {
                TestRef t = f.tests().get(0);
                sb.append(t.displayName()).append("  [exact]\n   unique id: ").append(t.uniqueId()).append('\n');
            }
            sb.append("   action: ").append(f.action()).append('\n');
            for (LeakedProcess p : f.processes()) {
                sb.append("   ").append("  ".repeat(p.depth())).append(line(p)).append('\n');
            }
        }
        return sb.toString();
    }

    static String line(LeakedProcess p) {
        return "pid " + p.pid() + "  ppid " + p.ppid() + "  state " + p.state() + "  age " + age(p.ageMillis())
                + "  user " + p.user() + "  " + p.commandLine()
                + (p.holdsTestOutput() ? "   <-- holds the test JVM's stdout/stderr: will hang the build" : "");
    }

    private static String age(long ms) {
        return ms < 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : (ms / 1000) + " s";
    }

    String json(List<Finding> findings, Set<Long> janitors) {
        StringBuilder sb = new StringBuilder("{\n  \"jvmPid\": ").append(jvmPid)
                .append(",\n  \"mode\": ").append(str(settings.mode().name().toLowerCase(Locale.ROOT)))
                .append(",\n  \"started\": ").append(str(started.toString()))
                .append(",\n  \"containment\": ").append(str(containment))
                .append(",\n  \"ignoredJanitorPids\": ").append(janitors)
                .append(",\n  \"leakedProcesses\": ").append(processCount(findings))
                .append(",\n  \"findings\": [");
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"confidence\": ").append(str(f.confidence()))
                    .append(", \"action\": ").append(str(f.action())).append(", \"tests\": [");
            for (int j = 0; j < f.tests().size(); j++) {
                TestRef t = f.tests().get(j);
                sb.append(j == 0 ? "" : ", ").append("{\"displayName\": ").append(str(t.displayName()))
                        .append(", \"uniqueId\": ").append(str(t.uniqueId())).append('}');
            }
            sb.append("], \"processes\": [");
            for (int j = 0; j < f.processes().size(); j++) {
                LeakedProcess p = f.processes().get(j);
                sb.append(j == 0 ? "\n" : ",\n").append("      {\"pid\": ").append(p.pid()).append(", \"ppid\": ")
                        .append(p.ppid()).append(", \"depth\": ").append(p.depth()).append(", \"state\": ")
                        .append(str(String.valueOf(p.state()))).append(", \"ageMillis\": ").append(p.ageMillis())
                        .append(", \"uid\": ").append(p.uid()).append(", \"user\": ").append(str(p.user()))
                        .append(", \"commandLine\": ").append(str(p.commandLine())).append(", \"holdsTestOutput\": ")
                        .append(p.holdsTestOutput()).append('}');
            }
            sb.append("]}");
        }
        return sb.append(findings.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    private static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
