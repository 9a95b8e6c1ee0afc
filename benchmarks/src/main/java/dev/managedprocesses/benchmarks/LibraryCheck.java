package dev.managedprocesses.benchmarks;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Runs inside a JMH fork, once, before anything is measured (a trial-level {@code @Setup} of every
 * benchmark class or state that uses the library): proves that the fork measures the library the
 * harness meant, and tells the harness what it saw.
 *
 * <p>The harness names, on the fork's command line, the variant, the jar or directory its
 * {@code ProcessScope} must come from, the system properties the variant sets and a file to report
 * to. The check fails the fork (so the whole run, loudly) when {@code ProcessScope} or
 * {@code ManagedProcess} was loaded from anywhere else, or when the class path holds more than one
 * copy of the library; otherwise it appends one line (variant, benchmark, pid, library, each
 * property's value as this JVM sees it) to the report file, which the harness prints and puts into
 * results.md. The harness in turn fails when a fork of a variant's benchmark never reported. Outside the
 * harness's forks (the in-process smoke run, a benchmark started by hand) it does nothing.
 */
public final class LibraryCheck {
    /** The variant's name ({@link Variant#CURRENT}'s for the current build). */
    static final String VARIANT = "mp.benchmark.variant";
    /** Real path of the jar or classes directory that must hold the library's classes. */
    static final String LIBRARY = "mp.benchmark.variant.library";
    /** Comma-separated names of the system properties the variant sets, to report back. */
    static final String PROPERTIES = "mp.benchmark.variant.properties";
    /** File the fork appends its line to. */
    static final String REPORT = "mp.benchmark.variant.report";

    private static boolean checked;

    private LibraryCheck() {
    }

    /** Checks this JVM once (a fork runs one benchmark); a no-op outside the harness's forks. */
    public static synchronized void once(BenchmarkParams benchmark) {
        String variant = System.getProperty(VARIANT);
        if (checked || variant == null) {
            return;
        }
        String line = check(variant, Path.of(System.getProperty(LIBRARY)), benchmark.id(),
                System.getProperty(PROPERTIES, ""));
        try {
            Files.writeString(Path.of(System.getProperty(REPORT)), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot report the library check to the harness", e);
        }
        checked = true;
    }

    /**
     * The report line for this JVM, or an {@link IllegalStateException} saying what was loaded instead
     * of {@code expected}. Fields are tab-separated {@code key=value}.
     */
    static String check(String variant, Path expected, String benchmarkId, String propertyNames) {
        Path scope = location(ProcessScope.class);
        Path process = location(ManagedProcess.class);
        List<Path> copies = copiesOnClassPath();
        Path want;
        try {
            want = expected.toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException("variant " + variant + ": its library " + expected + " is not there", e);
        }
        if (!scope.equals(want) || !process.equals(want) || copies.size() != 1) {
            throw new IllegalStateException("variant " + variant + " measures the wrong library: ProcessScope came from "
                    + scope + ", ManagedProcess from " + process + ", copies of " + Variant.LIBRARY_CLASS
                    + " on the class path: " + copies + "; expected exactly one, in " + want
                    + ". The fork's class path: " + System.getProperty("java.class.path"));
        }
        StringBuilder line = new StringBuilder().append("variant=").append(variant).append("\tbenchmark=")
                .append(benchmarkId).append("\tpid=").append(ProcessHandle.current().pid()).append("\tlibrary=")
                .append(scope);
        for (String key : propertyNames.split(",")) {
            if (!key.isEmpty()) {
                String value = System.getProperty(key);
                line.append("\tproperty.").append(key).append('=')
                        .append(value == null ? "(unset)" : value.replace('\t', ' ').replace('\n', ' '));
            }
        }
        return line.toString();
    }

    /** Where the class path's copies of the library are: one entry per jar or directory that holds it. */
    private static List<Path> copiesOnClassPath() {
        List<Path> copies = new ArrayList<>();
        try {
            for (URL url : Collections.list(ClassLoader.getSystemClassLoader().getResources(Variant.LIBRARY_CLASS))) {
                copies.add(root(url));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return copies;
    }

    /** The real path of the jar or directory that {@code type} was loaded from (its code source). */
    static Path location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException(type.getName() + " has no code source: not loaded from the class path");
        }
        try {
            return Path.of(source.getLocation().toURI()).toRealPath();
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from", e);
        }
    }

    /** The jar or directory of a resource URL of {@link Variant#LIBRARY_CLASS}. */
    private static Path root(URL url) {
        try {
            if (url.getProtocol().equals("jar")) {
                return Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI()).toRealPath();
            }
            Path file = Path.of(url.toURI());
            Path dir = file;
            for (int i = 0; i < Variant.LIBRARY_CLASS.split("/").length && dir != null; i++) { // up to the root
                dir = dir.getParent();
            }
            if (dir == null) {
                throw new IllegalStateException("unexpected class location " + url);
            }
            return dir.toRealPath();
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot resolve the class location " + url, e);
        }
    }
}
