package dev.managedprocesses.internal.core;

import dev.managedprocesses.ProcessStartException;
import dev.managedprocesses.internal.os.PlatformChoice;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the file a program name means, the way {@code posix_spawnp} and the JDK do (the JVM's PATH), so a
 * failure can say exactly what was searched and what to do: a bare name or a relative path before the spawn, an
 * absolute path only once the spawn has failed ({@link #forSpawn}).
 */
public final class ProgramResolver {
    private ProgramResolver() {
    }

    public static String resolve(String program, Path directory) {
        return resolve(program, directory, System.getenv("PATH"));
    }

    /**
     * What to hand {@code posix_spawnp} for {@code program}: an absolute path as it is, with no look at the file
     * system (the spawn's exec finds it, or fails with an errno: then the caller asks {@link #resolve}, which throws
     * where the program itself is the problem); anything else as {@link #resolve} finds it (a bare name on the JVM's
     * PATH, a relative path against the working directory). A look before every spawn of an absolute path costs
     * three system calls to learn what the exec learns anyway.
     */
    public static String forSpawn(String program, Path directory) {
        return program.startsWith("/") ? program : resolve(program, directory);
    }

    /** As {@link #resolve(String, Path)}, searching {@code path} (a PATH value) for a bare name. */
    public static String resolve(String program, Path directory, String path) {
        boolean windows = PlatformChoice.onWindows();
        if (program.contains("/") || (windows && program.contains("\\"))) {
            Path p = Path.of(program);
            if (!p.isAbsolute()) {
                // exec resolves a relative path after the child's chdir, so do the same
                p = (directory != null ? directory : Path.of("").toAbsolutePath()).resolve(p);
            }
            p = p.normalize();
            if (!Files.exists(p)) {
                throw new ProcessStartException("Cannot start '" + program + "': " + p + " does not exist. "
                        + "Check the path (relative paths are resolved against the working directory "
                        + (directory != null ? directory : Path.of("").toAbsolutePath()) + ")");
            }
            checkRunnable(program, p);
            return p.toString();
        }
        if (path == null || path.isEmpty()) {
            path = "/usr/local/bin:/usr/bin:/bin";
        }
        List<Path> notExecutable = new ArrayList<>();
        // Windows finds "python" as python.exe: the extensions of PATHEXT, as CreateProcess and cmd do.
        List<String> names = new ArrayList<>(List.of(program));
        if (windows && !program.contains(".")) {
            String pathext = System.getenv("PATHEXT");
            for (String ext : (pathext == null || pathext.isEmpty() ? ".COM;.EXE;.BAT;.CMD" : pathext).split(";")) {
                if (!ext.isEmpty()) {
                    names.add(program + ext.toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        for (String dir : path.split(File.pathSeparator, -1)) {
            for (String name : names) {
                Path candidate = (dir.isEmpty() ? Path.of("").toAbsolutePath() : Path.of(dir)).resolve(name);
                if (Files.isRegularFile(candidate)) {
                    if (Files.isExecutable(candidate)) {
                        return candidate.toAbsolutePath().toString();
                    }
                    notExecutable.add(candidate);
                }
            }
        }
        if (!notExecutable.isEmpty()) {
            throw new ProcessStartException("Cannot start '" + program + "': found " + notExecutable.get(0)
                    + " on PATH but it is not executable. Make it executable (chmod +x) or give the full path "
                    + "of the program you meant");
        }
        throw new ProcessStartException("Cannot start '" + program + "': no such program on the PATH searched ("
                + path + "). Install it, add its directory to the JVM's PATH, or give an absolute path");
    }

    private static void checkRunnable(String program, Path p) {
        if (Files.isDirectory(p)) {
            throw new ProcessStartException("Cannot start '" + program + "': " + p + " is a directory, not a program");
        }
        if (!Files.isExecutable(p)) {
            throw new ProcessStartException("Cannot start '" + program + "': " + p + " is not executable. "
                    + "Make it executable (chmod +x " + p + ") or run it through an interpreter (e.g. \"sh\", \""
                    + p + "\")");
        }
    }
}
