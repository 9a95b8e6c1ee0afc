package dev.managedprocesses.benchmarks;

import dev.managedprocesses.ProcessScope;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Teardowns of several builds of the library in one JVM, beside the killpg+waitpid floor: each build in a
 * class loader of its own (its jar and its runtime dependencies, nothing shared with the others but the JDK),
 * every round the floor first and then each build, in an order that rotates from round to round, each a
 * {@code close()} of a scope holding {@code groups} fresh {@code sleep} groups. The builds so compared share
 * the JVM, its JIT's other work and the machine's state of the moment round by round, which JMH, one build per
 * fork, cannot give them: on the shared 2-core machine the interval of their ratio comes out several times
 * narrower for the same number of teardowns. JMH's section (4) stays the published measurement; this is for
 * deciding whether a change to the teardown is faster ({@code benchmarks/run.sh --same-jvm}).
 *
 * <pre>
 * SameJvmTeardown [--jvms J] [--teardown-warmups W] [--measured M] [--groups G] [--pause-ms P]
 *                 [--by-teardown] [--variant-library NAME=JAR[:DEPENDENCY...]]...
 * </pre>
 *
 * The current build (the library on this JVM's class path) is measured first, then each variant, in J JVMs of
 * their own (one after the other), each running W rounds of warm-up and M measured ones (by default 3, 30, 30 and
 * 100 groups), each {@code close()} P ms after the last start (by default 0, as in JMH's section (4), where the
 * library's thread may still be busy with the starts; the floor's {@code killpg} loop waits as long). Prints, per build, the median {@code close()} time, its ratio to the floor and its ratio to the
 * current build (geometric means of the ratios paired by round, with 95% t-intervals), and exits 1 if a process
 * of the run is left (every process a build starts carries the run's marker, as in {@link Harness}). With
 * {@code --by-teardown} it also prints how the ratios change as a JVM tears down more often (the JIT's part:
 * {@code --teardown-warmups 0 --measured 200} starts from a fresh JVM's first teardown), per span of the JVM's
 * teardowns: the first, the second, 3-5, 6-10, 11-20 and so on, doubling.
 */
public final class SameJvmTeardown {
    private static final String CHILD = "--child";

    private SameJvmTeardown() {
    }

    /** One build's teardown, reached through its own class loader; returns the milliseconds of close(). */
    private interface Contender {
        double once(int groups) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(CHILD)) {
            child(args);
            return;
        }
        int jvms = 3;
        int warmups = 30;
        int measured = 30;
        int groups = 100;
        int pauseMillis = 0;
        boolean byTeardown = false;
        Map<String, String> builds = new LinkedHashMap<>();
        builds.put("current", currentBuild());
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--jvms" -> jvms = count(args[i], value, 1);
                case "--teardown-warmups" -> warmups = count(args[i], value, 0);
                case "--measured" -> measured = count(args[i], value, 2);
                case "--groups" -> groups = count(args[i], value, 1);
                case "--pause-ms" -> pauseMillis = count(args[i], value, 0);
                case "--by-teardown" -> {
                    byTeardown = true;
                    i--; // takes no value
                }
                case "--variant-library" -> {
                    int eq = value == null ? -1 : value.indexOf('=');
                    if (eq <= 0 || eq == value.length() - 1) {
                        throw new IllegalArgumentException("--variant-library takes NAME=JAR[:DEPENDENCY...], not '"
                                + value + "'");
                    }
                    if (builds.putIfAbsent(value.substring(0, eq), value.substring(eq + 1)) != null) {
                        throw new IllegalArgumentException("two builds named '" + value.substring(0, eq) + "' ('current'"
                                + " is the library on this class path): give each --variant-library a name of its own");
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "': see the Javadoc of "
                        + SameJvmTeardown.class.getName() + " (or benchmarks/run.sh --same-jvm)");
            }
            i++;
        }
        String runId = "same-jvm-" + Long.toHexString(System.currentTimeMillis());
        List<List<double[]>> rounds = run(jvms, warmups, measured, groups, pauseMillis, builds, runId, System.out);
        report(new ArrayList<>(builds.keySet()), rounds, groups, warmups, System.out);
        if (byTeardown) {
            reportByTeardown(new ArrayList<>(builds.keySet()), rounds, warmups, System.out);
        }
        List<String> strays = Benchmarks.killStrays(runId);
        System.out.println("Strays after the run: " + (strays.isEmpty() ? "none" : strays));
        if (!strays.isEmpty()) {
            System.exit(1);
        }
    }

    private static int count(String option, String value, int min) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " takes a whole number of at least " + min + ", not '" + value + "'");
    }

    /** The current build's class path: its jar (or classes) and the library's runtime dependency (jffi). */
    static String currentBuild() {
        List<String> path = new ArrayList<>();
        path.add(LibraryCheck.location(ProcessScope.class).toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (Path.of(entry).getFileName().toString().startsWith("jffi-")) {
                path.add(entry);
            }
        }
        return String.join(File.pathSeparator, path);
    }

    /**
     * Runs {@code jvms} child JVMs one after the other; per JVM, per measured round, the floor's time and each
     * build's: the result's index 0 is the floor, then the builds in the order given. Progress goes to {@code log}.
     */
    static List<List<double[]>> run(int jvms, int warmups, int measured, int groups, int pauseMillis,
            Map<String, String> builds, String runId, PrintStream log) throws Exception {
        int columns = builds.size() + 1;
        List<List<double[]>> byColumn = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            byColumn.add(new ArrayList<>());
        }
        for (int j = 1; j <= jvms; j++) {
            log.printf("  [same JVM] %d/%d: %d groups, %d warm-up rounds, %d measured, close() %d ms after the starts,"
                    + " builds %s%n", j, jvms, groups, warmups, measured, pauseMillis, builds.keySet());
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xms512m", "-Xmx512m", "-D" + Benchmarks.RUN_PROPERTY + "=" + runId,
                    "-cp", System.getProperty("java.class.path"), SameJvmTeardown.class.getName(), CHILD,
                    Integer.toString(warmups), Integer.toString(measured), Integer.toString(groups),
                    Integer.toString(pauseMillis)));
            command.addAll(builds.values());
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            double[][] rows = new double[measured][];
            int n = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.isEmpty() || !Character.isDigit(line.charAt(0))) {
                        log.println(line); // not a round's times: whatever else the JVM printed
                        continue;
                    }
                    String[] f = line.trim().split(" ");
                    if (f.length != columns || n == measured) {
                        throw new IllegalStateException("unexpected line from the JVM of the same-JVM teardowns: " + line);
                    }
                    rows[n] = new double[columns];
                    for (int c = 0; c < columns; c++) {
                        rows[n][c] = Double.parseDouble(f[c]);
                    }
                    n++;
                }
            }
            int exit = p.waitFor();
            if (exit != 0 || n != measured) {
                throw new IllegalStateException("the JVM of the same-JVM teardowns exited " + exit + " after " + n
                        + " of " + measured + " measured rounds (its errors are above)");
            }
            for (int c = 0; c < columns; c++) {
                double[] column = new double[measured];
                for (int r = 0; r < measured; r++) {
                    column[r] = rows[r][c];
                }
                byColumn.get(c).add(column);
            }
        }
        return byColumn;
    }

    /** The table: per build its median, its ratio to the floor and to the current build (the first). */
    static void report(List<String> names, List<List<double[]>> byColumn, int groups, int warmups, PrintStream out) {
        out.printf("%nTeardown of %d groups, every build in one JVM with the floor (after %d warm-up rounds): close() ms%n",
                groups, warmups);
        out.printf("  %-24s %-22s %-26s %s%n", "", "median [95% CI]", "ratio to the floor", "÷ current");
        for (int c = 0; c < byColumn.size(); c++) {
            String name = c == 0 ? "floor (killpg + waitpid)" : names.get(c - 1);
            Measure m = Measure.ofSamples(byColumn.get(c).stream().flatMapToDouble(java.util.Arrays::stream).toArray());
            String toFloor = c == 0 ? "1" : Measure.pairedRatio(byColumn.get(c), byColumn.get(0)).formatRatio();
            String toCurrent = c < 2 ? "" : Measure.pairedRatio(byColumn.get(c), byColumn.get(1)).formatRatio();
            out.printf(Locale.ROOT, "  %-24s %-22s %-26s %s%n", name, m.format(), toFloor, toCurrent);
        }
    }

    /**
     * The same measurements by the JVM's teardown number (warm-ups counted, from 1): per span (1, 2, 3-5, 6-10,
     * 11-20, ..., each twice the last) the floor's median, each build's and each build's ratio to the floor, paired
     * as in {@link #report}. Where a JVM starts measuring at its first teardown, this is the JIT's curve: how much of
     * a build's excess over the floor a JVM pays once, and from which teardown on it no longer does.
     */
    static void reportByTeardown(List<String> names, List<List<double[]>> byColumn, int warmups, PrintStream out) {
        int measured = byColumn.get(0).get(0).length;
        out.printf("%nBy the JVM's teardown number (warm-ups counted): median close() ms, and the ratio to the floor%n");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-12s %8s", "teardowns", "floor"));
        for (String name : names) {
            head.append(String.format(Locale.ROOT, " %12s %-20s", name, "(÷ floor)"));
        }
        out.println(head);
        // Spans end at teardowns 1, 2, 5, 10, 20, 40, ...
        for (int first = 1, last = 1; first <= warmups + measured; first = last + 1, last = last == 2 ? 5 : 2 * last) {
            int from = Math.max(first, warmups + 1);
            int to = Math.min(last, warmups + measured);
            if (from <= to) {
                int a = from - warmups - 1;
                int b = to - warmups;
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-12s %8s",
                        from == to ? Integer.toString(from) : from + "-" + to,
                        Measure.fmt(Measure.median(span(byColumn.get(0), a, b)))));
                for (int c = 1; c < byColumn.size(); c++) {
                    List<double[]> mine = slices(byColumn.get(c), a, b);
                    row.append(String.format(Locale.ROOT, " %12s %-20s", Measure.fmt(Measure.median(span(byColumn.get(c),
                            a, b))), Measure.pairedRatio(mine, slices(byColumn.get(0), a, b)).formatRatio()));
                }
                out.println(row);
            }
        }
    }

    private static List<double[]> slices(List<double[]> perJvm, int from, int to) {
        List<double[]> out = new ArrayList<>();
        for (double[] times : perJvm) {
            out.add(java.util.Arrays.copyOfRange(times, from, to));
        }
        return out;
    }

    private static double[] span(List<double[]> perJvm, int from, int to) {
        return slices(perJvm, from, to).stream().flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /** In the child JVM ({@code --child W M G P CLASSPATH...}): the contenders, the rounds, a line per measured round. */
    private static void child(String[] args) throws Exception {
        int warmups = Integer.parseInt(args[1]);
        int measured = Integer.parseInt(args[2]);
        int groups = Integer.parseInt(args[3]);
        int pauseMillis = Integer.parseInt(args[4]);
        List<Contender> contenders = new ArrayList<>();
        contenders.add(g -> floor(g, pauseMillis));
        for (int i = 5; i < args.length; i++) {
            contenders.add(library(args[i], pauseMillis));
        }
        int builds = contenders.size() - 1;
        for (int round = 0; round < warmups + measured; round++) {
            double[] ms = new double[contenders.size()];
            ms[0] = contenders.get(0).once(groups);
            for (int k = 0; k < builds; k++) {
                int b = 1 + (k + round) % builds; // a different build goes first in each round
                ms[b] = contenders.get(b).once(groups);
            }
            if (round >= warmups) {
                StringBuilder line = new StringBuilder();
                for (double v : ms) {
                    line.append(line.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.4f", v));
                }
                System.out.println(line);
            }
        }
    }

    /** The floor of section (4): killpg(SIGTERM) to every group, then waitpid for every leader. */
    private static double floor(int groups, int pauseMillis) throws InterruptedException {
        int[] pids = new int[groups];
        for (int i = 0; i < groups; i++) {
            pids[i] = RawPosix.spawn(true, Benchmarks.LONG_SLEEP.toArray(new String[0]));
        }
        Thread.sleep(pauseMillis);
        long start = System.nanoTime();
        RawPosix.killGroupsThenWaitEach(pids, null);
        return (System.nanoTime() - start) / 1e6;
    }

    /** A build's teardown through reflection on its own class loader (whose parent is the platform's). */
    private static Contender library(String classPath, int pauseMillis) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        Class<?> scopeClass = loader.loadClass(ProcessScope.class.getName());
        Method builder = scopeClass.getMethod("builder");
        Class<?> builderClass = builder.getReturnType();
        Method name = builderClass.getMethod("name", String.class);
        Method grace = builderClass.getMethod("gracePeriod", Duration.class);
        Method open = builderClass.getMethod("open");
        Method command = scopeClass.getMethod("command", java.util.List.class);
        Method environment = command.getReturnType().getMethod("environment", String.class, String.class);
        Method start = command.getReturnType().getMethod("start");
        Method close = scopeClass.getMethod("close");
        Method isAlive = start.getReturnType().getMethod("isAlive");
        return groups -> {
            try {
                Object b = builder.invoke(null);
                name.invoke(b, "same-jvm-teardown-" + groups);
                grace.invoke(b, Duration.ofSeconds(30));
                Object scope = open.invoke(b);
                List<Object> processes = new ArrayList<>();
                for (int i = 0; i < groups; i++) {
                    Object spec = command.invoke(scope, Benchmarks.LONG_SLEEP);
                    environment.invoke(spec, Benchmarks.MARKER, Benchmarks.runId());
                    processes.add(start.invoke(spec));
                }
                Thread.sleep(pauseMillis);
                long begin = System.nanoTime();
                close.invoke(scope);
                double ms = (System.nanoTime() - begin) / 1e6;
                for (Object p : processes) {
                    if ((Boolean) isAlive.invoke(p)) {
                        throw new IllegalStateException(p + " survived the scope's close()");
                    }
                }
                return ms;
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        };
    }
}
