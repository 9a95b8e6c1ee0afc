package dev.managedprocesses.internal.os.portable;

import dev.managedprocesses.internal.os.SpawnRequest;
import dev.managedprocesses.internal.os.SpawnRequest.Stdio;
import dev.managedprocesses.internal.os.Spawned;
import dev.managedprocesses.internal.os.Spawner;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts children through {@link ProcessBuilder}: the JDK owns them (its reaper thread waits for each, its
 * streams are the pipes). The child stays in the JVM's process group and session, and its arguments and
 * environment are encoded in the JVM's platform charset ({@code sun.jnu.encoding}), as with any
 * {@code ProcessBuilder}.
 */
final class PortableSpawner implements Spawner {

    @Override
    public Spawned spawn(SpawnRequest request) {
        throw new UnsupportedOperationException(PortableOs.where() + " starts processes through java.lang.ProcessBuilder "
                + "(startProcess): the JDK owns them, so no raw pid and descriptors can be handed out");
    }

    @Override
    public Process startProcess(SpawnRequest request) throws IOException {
        if (request.newSession()) {
            throw new UnsupportedOperationException("a new session cannot be created on " + PortableOs.where()
                    + ": the JDK starts children in the JVM's own session and process group");
        }
        List<String> command = new ArrayList<>(request.arguments().size());
        command.add(request.executable()); // argv[0] is the resolved path: the JDK does not let us choose it
        command.addAll(request.arguments().subList(1, request.arguments().size()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.clear();
        for (String entry : request.environment()) {
            int eq = entry.indexOf('=', 1); // from 1: Windows has entries such as "=C:=C:\\dir"
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        if (request.directory() != null) {
            builder.directory(new File(request.directory()));
        }
        builder.redirectInput(input(request.stdin()));
        builder.redirectOutput(output(request.stdout()));
        if (request.stderr().kind() == Stdio.Kind.SAME_AS_STDOUT) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(output(request.stderr()));
        }
        return builder.start();
    }

    private static Redirect input(Stdio stdio) {
        return switch (stdio.kind()) {
            case PIPE -> Redirect.PIPE;
            case INHERIT -> Redirect.INHERIT;
            case DISCARD -> Redirect.from(nullDevice());
            case READ_FILE -> Redirect.from(new File(stdio.path()));
            default -> throw new IllegalArgumentException("stdin cannot be " + stdio.kind());
        };
    }

    private static Redirect output(Stdio stdio) {
        return switch (stdio.kind()) {
            case PIPE -> Redirect.PIPE;
            case INHERIT -> Redirect.INHERIT;
            case DISCARD -> Redirect.DISCARD;
            case WRITE_FILE -> Redirect.to(new File(stdio.path()));
            case APPEND_FILE -> Redirect.appendTo(new File(stdio.path()));
            default -> throw new IllegalArgumentException("an output cannot be " + stdio.kind());
        };
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
