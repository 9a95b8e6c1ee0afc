package dev.managedprocesses.leaks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The leak detector's configuration, read from JUnit configuration parameters
 * ({@code junit-platform.properties}, system properties, Surefire's {@code configurationParameters}).
 *
 * @param mode what to do ({@value #MODE_KEY})
 * @param settle how long a new process may take to end by itself before it counts as leaked ({@value #SETTLE_KEY})
 * @param ignore command-line globs never reported ({@value #IGNORE_KEY})
 * @param reportDirectory where {@code leaks-<pid>-<random>.{txt,json}} go ({@value #REPORT_DIR_KEY})
 * @param subreaper make the JVM a child subreaper so double-forked orphans stay visible ({@value #SUBREAPER_KEY})
 * @param killGrace grace period between SIGTERM and SIGKILL when leaked processes are ended ({@value #KILL_GRACE_KEY})
 * @param keepInFailMode leave what fail mode found running, for someone to look at ({@value #FAIL_KEEP_KEY})
 */
public record LeakSettings(LeakMode mode, Duration settle, List<Pattern> ignore, Path reportDirectory,
        boolean subreaper, Duration killGrace, boolean keepInFailMode) {

    /** What the detector does: {@code off} (the default), {@code warn}, {@code fail} or {@code kill}. */
    public static final String MODE_KEY = "managedprocesses.leaks.mode";
    /** How long a new process may take to end by itself before it counts as leaked, e.g. {@code 500 ms}. */
    public static final String SETTLE_KEY = "managedprocesses.leaks.settle";
    /** Comma-separated globs over command lines that are never reported, e.g. {@code *gradle-daemon*}. */
    public static final String IGNORE_KEY = "managedprocesses.leaks.ignore";
    /** Where the reports go (default: JUnit's output directory, else {@code target/} beside a {@code pom.xml}). */
    public static final String REPORT_DIR_KEY = "managedprocesses.leaks.report.dir";
    /** {@code false}: do not make the JVM a child subreaper (double-forked daemons then escape detection). */
    public static final String SUBREAPER_KEY = "managedprocesses.leaks.subreaper";
    /** Grace period between SIGTERM and SIGKILL when leaked processes are ended, e.g. {@code 2 s}. */
    public static final String KILL_GRACE_KEY = "managedprocesses.leaks.kill.grace";
    /** {@code true}: in fail mode, leave the leaked processes running (to inspect them) instead of ending them. */
    public static final String FAIL_KEEP_KEY = "managedprocesses.leaks.fail.keep";
    static final String JUNIT_OUTPUT_DIR_KEY = "junit.platform.reporting.output.dir";

    /**
     * Reads the settings. An invalid mode throws (a typo must not silently switch detection off);
     * other invalid values are reported through {@code warnings} and fall back to their defaults.
     */
    static LeakSettings read(Function<String, Optional<String>> config, List<String> warnings) {
        LeakMode mode = config.apply(MODE_KEY).map(LeakMode::parse).orElse(LeakMode.OFF);
        Duration settle = duration(config, SETTLE_KEY, Duration.ofSeconds(2), warnings);
        Duration killGrace = duration(config, KILL_GRACE_KEY, Duration.ofSeconds(2), warnings);
        List<Pattern> ignore = new ArrayList<>();
        config.apply(IGNORE_KEY).ifPresent(globs -> {
            for (String g : globs.split(",")) {
                if (!g.isBlank()) {
                    ignore.add(glob(g.trim()));
                }
            }
        });
        boolean subreaper = config.apply(SUBREAPER_KEY).map(v -> !v.trim().equalsIgnoreCase("false")).orElse(true);
        boolean keep = config.apply(FAIL_KEEP_KEY).map(v -> v.trim().equalsIgnoreCase("true")).orElse(false);
        Path dir = config.apply(REPORT_DIR_KEY).or(() -> config.apply(JUNIT_OUTPUT_DIR_KEY)).map(Path::of)
                .orElseGet(LeakSettings::defaultDirectory);
        return new LeakSettings(mode, settle, List.copyOf(ignore), dir, subreaper, killGrace, keep);
    }

    private static Path defaultDirectory() {
        if (Files.exists(Path.of("pom.xml"))) {
            return Path.of("target");
        }
        if (Files.exists(Path.of("build.gradle")) || Files.exists(Path.of("build.gradle.kts"))) {
            return Path.of("build");
        }
        return Path.of(".");
    }

    private static Duration duration(Function<String, Optional<String>> config, String key, Duration fallback,
            List<String> warnings) {
        Optional<String> v = config.apply(key);
        if (v.isEmpty()) {
            return fallback;
        }
        java.util.regex.Matcher m = Pattern.compile("\\s*(\\d+)\\s*(ms|s)\\s*").matcher(v.get());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return m.group(2).equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n);
        }
        warnings.add("ignoring " + key + "='" + v.get() + "': use a number with ms or s, such as \"500 ms\"; using "
                + fallback.toMillis() + " ms");
        return fallback;
    }

    /** Same configuration (patterns compared by their text). */
    boolean sameAs(LeakSettings o) {
        return mode == o.mode && settle.equals(o.settle) && reportDirectory.equals(o.reportDirectory)
                && subreaper == o.subreaper && killGrace.equals(o.killGrace) && keepInFailMode == o.keepInFailMode
                && ignore.stream().map(Pattern::pattern).toList().equals(o.ignore.stream().map(Pattern::pattern).toList());
    }

    /** A glob over the whole command line: {@code *} any run of characters, {@code ?} one. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
