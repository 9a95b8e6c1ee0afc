package dev.managedprocesses.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

/**
 * A library variant: the managed-processes benchmarks of a section measured once more per round,
 * in forks of their own, against another build of the library (jars or class directories that
 * replace the current build on the fork's class path) and/or with extra JVM arguments (the system
 * properties that switch the library's configuration). The current build, as this JVM loaded it,
 * is the reference: the tables report "current ÷ variant", which is new/old when the variant is an
 * older build.
 *
 * @param name    short name: in tables, result keys ({@code managedProcesses[name]}) and log names
 * @param library class path entries put in place of the current build in the fork (empty: the current build)
 * @param jvmArgs extra arguments for the fork's JVM, after the harness's own (so they win)
 */
public record Variant(String name, List<Path> library, List<String> jvmArgs) {

    /** Before {@link #CURRENT}: its constructor checks the name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9@._+-]{1,40}");

    /** The current build in its default configuration: the reference every variant is compared with. */
    public static final Variant CURRENT = new Variant("current", List.of(), List.of());

    /** A class of the public API: the entry of a class path that holds it is "the library". */
    static final String LIBRARY_CLASS = "dev/managedprocesses/ProcessScope.class";

    /** Checks the name and the arguments; the lists are copied. */
    public Variant {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("variant name '" + name + "': use 1 to 40 of A-Z a-z 0-9 @ . _ + -");
        }
        library = List.copyOf(library);
        jvmArgs = List.copyOf(jvmArgs);
        for (String arg : jvmArgs) {
            if (!arg.startsWith("-")) {
                throw new IllegalArgumentException("variant " + name + ": '" + arg
                        + "' is not a JVM option (e.g. -Dkey=value)");
            }
        }
    }

    /**
     * {@code name:-Dkey=value[,-Dkey2=value2]} (any JVM options, comma-separated; {@code name} alone
     * measures the current build a second time, an A/A control of the noise).
     */
    public static Variant parse(String spec) {
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        if (name.equals(CURRENT.name())) {
            throw new IllegalArgumentException("variant name 'current' is the current build itself; choose another");
        }
        List<String> args = new ArrayList<>();
        if (colon >= 0) {
            for (String arg : spec.substring(colon + 1).split(",")) {
                if (!arg.isBlank()) {
                    args.add(arg.strip());
                }
            }
        }
        return new Variant(name, List.of(), args);
    }

    /** {@code PATH[:PATH...]} (the platform's path separator) as class path entries; each must exist. */
    public static List<Path> classPath(String entries) {
        List<Path> paths = new ArrayList<>();
        for (String entry : entries.split(Pattern.quote(File.pathSeparator))) {
            if (entry.isBlank()) {
                continue; // an empty entry would mean the working directory to java
            }
            Path p = Path.of(entry);
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("library class path entry " + p + " does not exist");
            }
            paths.add(p);
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("empty library class path '" + entries + "'");
        }
        return paths;
    }

    Variant withLibrary(List<Path> entries) {
        return new Variant(name, entries, jvmArgs);
    }

    Variant withJvmArgs(List<String> more) {
        List<String> all = new ArrayList<>(jvmArgs);
        all.addAll(more);
        return new Variant(name, library, all);
    }

    boolean isCurrent() {
        return this == CURRENT;
    }

    /** The system properties the variant sets: {@code -Dkey=value}, or {@code -Dkey} (the empty string, as java sets it). */
    Map<String, String> properties() {
        Map<String, String> props = new LinkedHashMap<>();
        for (String arg : jvmArgs) {
            if (arg.startsWith("-D") && arg.length() > 2) {
                int eq = arg.indexOf('=');
                props.put(eq < 0 ? arg.substring(2) : arg.substring(2, eq), eq < 0 ? "" : arg.substring(eq + 1));
            }
        }
        return props;
    }

    /** {@code managed-processes NAME (-Dkey=value ...)}: what the tables call it. */
    String label() {
        return isCurrent() ? "managed-processes (current build)"
                : "managed-processes " + name + (jvmArgs.isEmpty() ? "" : " (" + String.join(" ", jvmArgs) + ")");
    }

    /**
     * The entry of {@link #library} that holds the library's classes, as a real path: what the fork's
     * {@code ProcessScope} must be loaded from.
     */
    Path libraryRoot() throws IOException {
        for (Path entry : library) {
            if (holdsLibrary(entry)) {
                return entry.toRealPath();
            }
        }
        throw new IllegalArgumentException("variant " + name + ": none of " + library + " holds " + LIBRARY_CLASS
                + ": give a managed-processes jar or classes directory");
    }

    static boolean holdsLibrary(Path entry) throws IOException {
        if (Files.isDirectory(entry)) {
            return Files.isRegularFile(entry.resolve(LIBRARY_CLASS));
        }
        if (!Files.isRegularFile(entry)) {
            return false;
        }
        try (ZipFile jar = new ZipFile(entry.toFile())) {
            return jar.getEntry(LIBRARY_CLASS) != null;
        } catch (IOException notAJar) {
            return false;
        }
    }

    /**
     * The fork's class path: {@code host}'s entries with the one holding the current build
     * ({@code currentRoot}) replaced, in place, by this variant's library (so its classes, and the
     * dependencies listed with it, come first where the current build's came). The current build is
     * then on no entry at all: no class of it can mix with the variant's.
     */
    String forkClassPath(String host, Path currentRoot) throws IOException {
        List<String> entries = new ArrayList<>();
        boolean replaced = false;
        for (String entry : host.split(Pattern.quote(File.pathSeparator))) {
            if (!replaced && !entry.isEmpty() && Files.exists(Path.of(entry))
                    && Path.of(entry).toRealPath().equals(currentRoot)) {
                library.forEach(p -> entries.add(p.toAbsolutePath().toString()));
                replaced = true;
            } else {
                entries.add(entry);
            }
        }
        if (!replaced) {
            throw new IllegalStateException("the current build of the library (" + currentRoot + ") is not an entry of "
                    + "this JVM's class path, so variant " + name + " cannot replace it; start the harness with an "
                    + "explicit -cp, as run.sh does (class path: " + host + ")");
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * Writes the launcher that JMH runs instead of {@code java} for this variant's forks ({@code jvm}
     * option), and returns it.
     *
     * <p>Why a launcher: JMH gives every fork (and its property probe) the host JVM's own class path,
     * {@code <jvm> <jvm args> -cp <java.class.path> <main> ...}, and has no option for another one. The
     * launcher runs the same java with the same arguments, only that {@code -cp} value exchanged for the
     * variant's. It refuses to start a JVM when the class path it is handed is not the one it was
     * written for (a JMH that builds its command differently): the fork then fails at once, loudly,
     * instead of measuring the current build under the variant's name. {@link LibraryCheck}, inside the
     * fork, then proves which jar its {@code ProcessScope} came from.
     */
    Path writeLauncher(Path dir, Path java, String hostClassPath, String forkClassPath) throws IOException {
        String script = "#!/bin/bash\n"
                + "# Written by the managed-processes benchmark harness for library variant " + name + ".\n"
                + "# JMH starts this instead of java: the same arguments, the class path exchanged for the variant's.\n"
                + "set -euo pipefail\n"
                + "java=" + quote(java.toString()) + "\n"
                + "expected=" + quote(hostClassPath) + "\n"
                + "replacement=" + quote(forkClassPath) + "\n"
                + "args=()\n"
                + "replaced=0\n"
                + "while [ $# -gt 0 ]; do\n"
                + "  case \"$1\" in\n"
                + "    -cp|-classpath|--class-path)\n"
                + "      if [ $# -lt 2 ] || [ \"$2\" != \"$expected\" ]; then\n"
                + "        echo \"variant " + name + " launcher ($0): JMH passed a class path other than the harness's own,"
                + " refusing to guess what to replace in it: ${2-(none)}\" >&2\n"
                + "        exit 97\n"
                + "      fi\n"
                + "      args+=(\"$1\" \"$replacement\"); replaced=1; shift 2;;\n"
                + "    *) args+=(\"$1\"); shift;;\n"
                + "  esac\n"
                + "done\n"
                + "if [ $replaced = 0 ]; then\n"
                + "  echo \"variant " + name + " launcher ($0): no -cp among the arguments; nothing to replace\" >&2\n"
                + "  exit 97\n"
                + "fi\n"
                + "exec \"$java\" \"${args[@]}\"\n";
        Path launcher = dir.resolve("java-" + name + ".sh");
        Files.writeString(launcher, script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        return launcher;
    }

    /** A bash single-quoted word. */
    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
