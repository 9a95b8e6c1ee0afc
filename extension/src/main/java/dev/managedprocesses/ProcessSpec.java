package dev.managedprocesses;

import dev.managedprocesses.internal.core.SpawnPlan;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to start, built fluently from {@link ProcessScope#command(String...)}; {@link #start()}
 * starts it in the scope.
 *
 * <pre>{@code
 * ManagedProcess p = scope.command("java", "-jar", "server.jar")
 *         .directory(workDir)
 *         .environment("PORT", "0")
 *         .stderr(Redirect.DISCARD)
 *         .start();
 * }</pre>
 *
 * <p>Standard streams use the JDK's {@link Redirect}: {@code PIPE} (the default: captured, see
 * {@link ManagedProcess#stdout()}), {@code INHERIT}, {@code DISCARD}, {@code Redirect.to(file)},
 * {@code Redirect.appendTo(file)}, and {@code Redirect.from(file)} for stdin. Arguments and
 * environment are passed as UTF-8 whatever the JVM's default charset.
 */
public final class ProcessSpec {
    private final ProcessScope scope;
    private final List<String> command;
    private final Map<String, String> environment;
    private Path directory;
    private Redirect stdin = Redirect.PIPE;
    private Redirect stdout = Redirect.PIPE;
    private Redirect stderr = Redirect.PIPE;
    private boolean mergeStderr;
    private int outputLimit = 1 << 20;
    private Charset charset = StandardCharsets.UTF_8;

    ProcessSpec(ProcessScope scope, List<String> command) {
        this.scope = scope;
        this.command = command;
        this.environment = new LinkedHashMap<>(System.getenv());
    }

    /**
     * The working directory (default: the JVM's). It must exist when the process starts. A relative
     * program path ({@code ./run.sh}) is resolved against it.
     *
     * @param directory the directory; a relative path is taken from the JVM's working directory
     * @return this spec
     * @throws NullPointerException if {@code directory} is null
     */
    public ProcessSpec directory(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory must not be null");
        return this;
    }

    /**
     * Sets one environment variable (the JVM's environment is inherited by default). The program itself is
     * found on the JVM's {@code PATH}, not on a {@code PATH} set here.
     *
     * @param name the variable's name: not empty, without {@code =} or NUL
     * @param value its value; {@code ""} for an empty one
     * @return this spec
     * @throws NullPointerException if {@code name} or {@code value} is null
     * @throws IllegalArgumentException if {@code name} is empty or contains {@code =} or NUL
     */
    public ProcessSpec environment(String name, String value) {
        checkName(name);
        Objects.requireNonNull(value, "value of environment variable " + name + " must not be null");
        environment.put(name, value);
        return this;
    }

    /**
     * Sets several environment variables, as {@link #environment(String, String)} sets each.
     *
     * @param variables names and values
     * @return this spec
     * @throws NullPointerException if {@code variables}, or a name or value in it, is null
     * @throws IllegalArgumentException if a name is empty or contains {@code =} or NUL
     */
    public ProcessSpec environment(Map<String, String> variables) {
        Objects.requireNonNull(variables, "variables must not be null");
        variables.forEach(this::environment);
        return this;
    }

    /**
     * Removes an inherited environment variable (or one set before); no effect if it is not set.
     *
     * @param name the variable's name
     * @return this spec
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is empty or contains {@code =} or NUL
     */
    public ProcessSpec removeEnvironment(String name) {
        checkName(name);
        environment.remove(name);
        return this;
    }

    /**
     * Starts from an empty environment instead of the JVM's (the scope's marker variable is still set),
     * for a process that must not see the test's settings. Variables set after this call are kept.
     *
     * @return this spec
     */
    public ProcessSpec clearEnvironment() {
        environment.clear();
        return this;
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "environment variable name must not be null");
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Invalid environment variable name '" + name
                    + "': it must be non-empty and contain neither '=' nor NUL");
        }
    }

    /**
     * Where stdin comes from: {@code PIPE} (default: written through {@link ManagedProcess#stdin()}),
     * {@code INHERIT}, or {@code Redirect.from(file)}.
     *
     * @param redirect the source
     * @return this spec
     * @throws NullPointerException if {@code redirect} is null
     * @throws IllegalArgumentException if {@code redirect} writes to a file ({@code Redirect.to},
     *     {@code Redirect.appendTo})
     */
    public ProcessSpec stdin(Redirect redirect) {
        Objects.requireNonNull(redirect, "redirect must not be null");
        if (redirect.type() == Redirect.Type.WRITE || redirect.type() == Redirect.Type.APPEND) {
            throw new IllegalArgumentException("stdin cannot be redirected to a file (" + redirect
                    + "): use Redirect.from(file) to read stdin from a file");
        }
        this.stdin = redirect;
        return this;
    }

    /**
     * Where stdout goes: {@code PIPE} (default, captured), {@code INHERIT}, {@code DISCARD}, or a file.
     *
     * @param redirect the destination
     * @return this spec
     * @throws NullPointerException if {@code redirect} is null
     * @throws IllegalArgumentException if {@code redirect} reads from a file ({@code Redirect.from})
     */
    public ProcessSpec stdout(Redirect redirect) {
        this.stdout = checkOutput(redirect, "stdout");
        return this;
    }

    /**
     * Where stderr goes: {@code PIPE} (default, captured), {@code INHERIT}, {@code DISCARD}, or a file.
     *
     * @param redirect the destination
     * @return this spec
     * @throws NullPointerException if {@code redirect} is null
     * @throws IllegalArgumentException if {@code redirect} reads from a file ({@code Redirect.from})
     */
    public ProcessSpec stderr(Redirect redirect) {
        this.stderr = checkOutput(redirect, "stderr");
        return this;
    }

    private static Redirect checkOutput(Redirect redirect, String stream) {
        Objects.requireNonNull(redirect, "redirect must not be null");
        if (redirect.type() == Redirect.Type.READ) {
            throw new IllegalArgumentException(stream + " cannot be read from a file (" + redirect
                    + "): use Redirect.to(file) or Redirect.appendTo(file)");
        }
        return redirect;
    }

    /**
     * Sends stderr to wherever stdout goes (like {@link ProcessBuilder#redirectErrorStream(boolean)}), so
     * the two interleave in one stream; {@link ManagedProcess#stderr()} is then not captured.
     *
     * @return this spec
     */
    public ProcessSpec mergeStderrIntoStdout() {
        this.mergeStderr = true;
        return this;
    }

    /**
     * The most characters kept per captured stream (default 1 Mi); older lines are dropped beyond it,
     * and {@link ProcessOutput#droppedLines()} counts them.
     *
     * @param maxChars the limit, in characters (not bytes), at least 1
     * @return this spec
     * @throws IllegalArgumentException if {@code maxChars} is less than 1
     */
    public ProcessSpec outputLimit(int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("outputLimit must be at least 1 character but was " + maxChars);
        }
        this.outputLimit = maxChars;
        return this;
    }

    /**
     * The charset of the process's output (default UTF-8, whatever the JVM's default). Bytes that are
     * not valid in it read as the replacement character.
     *
     * @param charset how to decode stdout and stderr
     * @return this spec
     * @throws NullPointerException if {@code charset} is null
     */
    public ProcessSpec outputCharset(Charset charset) {
        this.charset = Objects.requireNonNull(charset, "charset must not be null");
        return this;
    }

    /**
     * Starts the process in the scope.
     *
     * @return the handle of the running process
     * @throws ProcessStartException if it cannot be started (a program not on the {@code PATH}, a missing
     *     working directory, ...); the message says why and what to do
     * @throws IllegalStateException if the scope is closed
     */
    public ManagedProcess start() {
        return scope.start(this);
    }

    // ---------------------------------------------------------------- for ProcessScope

    /** What the engine starts. */
    SpawnPlan plan() {
        return new SpawnPlan(command, directory, environment, stdin, stdout, stderr, mergeStderr, charset, outputLimit);
    }

    List<String> command() {
        return command;
    }
}
