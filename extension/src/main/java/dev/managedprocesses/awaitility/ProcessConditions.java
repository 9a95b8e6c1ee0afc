package dev.managedprocesses.awaitility;

import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessOutput;
import dev.managedprocesses.internal.core.ProcessLookup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Ready-made Awaitility conditions on processes, to import statically:
 *
 * <pre>{@code
 * import static dev.managedprocesses.awaitility.ProcessConditions.*;
 * import static org.awaitility.Awaitility.await;
 *
 * ManagedProcess server = scope.start("python3", "-u", "-m", "http.server", "8000");
 * await().atMost(Duration.ofSeconds(10)).untilAsserted(lineMatching(server.stdout(), "Serving HTTP"));
 * await().atMost(Duration.ofSeconds(10)).untilAsserted(portOpen(server, 8000));
 * await().atMost(Duration.ofSeconds(10)).until(fileExists(workDir.resolve("ready")));
 * server.terminate();
 * await().atMost(Duration.ofSeconds(10)).until(hasExited(server));
 * }</pre>
 *
 * <p>Each is a {@link ProcessCondition}: use it with {@code untilAsserted(...)} for a timeout message
 * that says what was last seen, or with {@code until(...)}, whose timeout message Awaitility builds
 * from the condition's class name alone (see {@link ProcessCondition}). Conditions that can no longer be met fail
 * the wait at once with {@link ConditionUnreachableException}. Awaitility polls (every 100 ms by
 * default); to wait for a line without polling, {@code ProcessOutput.awaitLine} is woken by the output
 * itself.
 *
 * <p>Awaitility is not a dependency of this library: add {@code org.awaitility:awaitility} (4.x) to your
 * test dependencies to use this package.
 */
public final class ProcessConditions {
    private static final int LAST_LINES = 10;
    private static final int LISTED_FILES = 10;
    private static final String NL = System.lineSeparator();

    private ProcessConditions() {
    }

    /**
     * A line of {@code output} matches {@code pattern} (searched with {@link java.util.regex.Matcher#find()}),
     * among the lines retained so far. Unreachable once the output has ended without such a line.
     *
     * <pre>{@code
     * await().atMost(Duration.ofSeconds(10)).untilAsserted(lineMatching(server.stdout(), Pattern.compile("port \\d+")));
     * }</pre>
     *
     * @param output the captured stdout or stderr to watch
     * @param pattern what a line must contain a match of
     * @return the condition
     * @throws IllegalStateException if {@code output} is not captured
     */
    public static ProcessCondition lineMatching(ProcessOutput output, Pattern pattern) {
        Objects.requireNonNull(output, "output must not be null");
        Objects.requireNonNull(pattern, "pattern must not be null");
        return line(output, l -> pattern.matcher(l).find(), "matching /" + pattern.pattern() + "/");
    }

    /**
     * {@link #lineMatching(ProcessOutput, Pattern)} with a regular expression.
     *
     * @param output the captured stdout or stderr to watch
     * @param regex what a line must contain a match of, in {@link Pattern} syntax
     * @return the condition
     * @throws java.util.regex.PatternSyntaxException if {@code regex} is not a valid expression
     * @throws IllegalStateException if {@code output} is not captured
     */
    public static ProcessCondition lineMatching(ProcessOutput output, String regex) {
        Objects.requireNonNull(regex, "regex must not be null");
        return lineMatching(output, Pattern.compile(regex));
    }

    /**
     * A line of {@code output} contains {@code text}. Unreachable once the output has ended without one.
     *
     * <pre>{@code
     * await().atMost(Duration.ofSeconds(10)).until(lineContaining(worker.stderr(), "connected"));
     * }</pre>
     *
     * @param output the captured stdout or stderr to watch
     * @param text what a line must contain, taken literally
     * @return the condition
     * @throws IllegalStateException if {@code output} is not captured
     */
    public static ProcessCondition lineContaining(ProcessOutput output, String text) {
        Objects.requireNonNull(output, "output must not be null");
        Objects.requireNonNull(text, "text must not be null");
        return line(output, l -> l.contains(text), "containing \"" + text + "\"");
    }

    private static ProcessCondition line(ProcessOutput output, Predicate<String> test, String what) {
        if (!output.isCaptured()) {
            throw new IllegalStateException("Cannot wait for a line of " + output + ": it is not captured. "
                    + "Leave it as a pipe (the default) to read it");
        }
        return new ProcessCondition("a line of " + output + " " + what, () -> {
            // Read "ended" before the lines: if it had ended, every line is in what we read next.
            boolean ended = output.hasEnded();
            List<String> lines = output.lines();
            if (lines.stream().anyMatch(test)) {
                return null;
            }
            if (ended) {
                throw new ConditionUnreachableException(output + " ended without a line " + what + lastLines(lines));
            }
            return "there is none yet" + lastLines(lines);
        });
    }

    /**
     * The process has ended: exited by itself or killed by a signal. A zombie (an exited group
     * leader held while its group lives on) has ended; so has a process adopted by pid or
     * {@code ProcessHandle} that is no longer alive, though its exit status is unknown.
     *
     * <pre>{@code
     * server.signal(Signal.TERM);
     * await().atMost(Duration.ofSeconds(10)).until(hasExited(server));
     * }</pre>
     *
     * @param process the process to watch
     * @return the condition; it never becomes unreachable
     */
    public static ProcessCondition hasExited(ManagedProcess process) {
        Objects.requireNonNull(process, "process must not be null");
        return new ProcessCondition(subject(process) + " to have exited",
                () -> process.exitStatus().isPresent() || !process.isAlive() ? null : "it is still running");
    }

    /**
     * The process, or one of its live descendants (a server behind a launcher script), listens on TCP
     * {@code port} (IPv4 or IPv6, any address). A port opened by an unrelated process does not count:
     * the listening socket must be among this process's own descriptors. Unreachable once the process
     * has ended and left no live descendants. On the portable platform ({@code ProcessPlatform.PORTABLE}),
     * where no process's sockets can be read, it holds when the port accepts a connection on this machine
     * ({@code localhost}, IPv4 or IPv6) while the process or a descendant lives: there an unrelated process
     * that holds the port does count.
     *
     * <pre>{@code
     * ManagedProcess server = scope.start("python3", "-m", "http.server", "8000");
     * await().atMost(Duration.ofSeconds(10)).untilAsserted(portOpen(server, 8000));
     * }</pre>
     *
     * @param process the process whose family must listen
     * @param port the TCP port, 1-65535
     * @return the condition
     * @throws IllegalArgumentException if {@code port} is not 1-65535
     */
    public static ProcessCondition portOpen(ManagedProcess process, int port) {
        Objects.requireNonNull(process, "process must not be null");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("A TCP port is 1-65535 but was " + port);
        }
        return new ProcessCondition(subject(process) + " or a descendant to listen on TCP port " + port,
                () -> portUnmet(process, port));
    }

    private static String portUnmet(ManagedProcess process, int port) {
        if (!ProcessLookup.portOwnersKnown()) {
            return portUnmetByConnecting(process, port);
        }
        Set<Integer> ports = new TreeSet<>();
        // Whether it has ended first: if it has, the descendants read next are all that can still open the
        // port. Ended is an exit status or, for a process adopted by pid or ProcessHandle, not alive.
        Optional<ExitStatus> status = process.exitStatus();
        boolean ended = status.isPresent() || !process.isAlive();
        if (!ended) {
            // Only trust the pid while it provably names this process: the same start time after the read.
            Set<Integer> own = ProcessLookup.listeningTcpPorts(process.pid());
            if (ProcessLookup.isRunning(process.identity())) {
                ports.addAll(own);
            }
        }
        // Once the pid is another process's, what descends from it is that process's family, not ours.
        boolean pidTaken = ProcessIdentity.of(process.pid()).filter(now -> !now.equals(process.identity())).isPresent();
        List<ProcessInfo> descendants = pidTaken ? List.of() : process.descendants();
        for (ProcessInfo d : descendants) {
            Set<Integer> theirs = ProcessLookup.listeningTcpPorts(d.pid());
            Optional<ProcessInfo> again = ProcessLookup.holder(d.pid());
            if (again.isPresent() && again.get().isAlive() && again.get().startTime() == d.startTime()) {
                ports.addAll(theirs);
            }
        }
        if (ports.contains(port)) {
            return null;
        }
        if (ended && descendants.isEmpty()) {
            String how = status.map(s -> s.exited() ? s.toString() : "was " + s).orElse("ended");
            throw new ConditionUnreachableException(subject(process) + " " + how + " without listening on TCP port "
                    + port + " and left no live descendants" + lastStderrLines(process.stderr()));
        }
        String who = descendants.isEmpty() ? "it listens" : "it and its " + descendants.size() + " live descendants listen";
        String seen = ports.isEmpty() ? who + " on no TCP port yet" : who + " on TCP ports " + ports;
        boolean someoneElse = ProcessLookup.listeningTcpPortsInNamespaceOf(process.pid()).contains(port);
        return seen + (someoneElse ? "; port " + port + " is listening, but not by " + (descendants.isEmpty() ? "it" : "them")
                : "; nothing listens on port " + port);
    }

    /**
     * A file (or directory) exists at {@code path}.
     *
     * <pre>{@code
     * ManagedProcess daemon = scope.start("sh", "-c", "sleep 1; echo $$ > " + pidFile);
     * await().atMost(Duration.ofSeconds(10)).untilAsserted(fileExists(pidFile));
     * }</pre>
     *
     * @param path the file to wait for; a relative path is taken from the JVM's working directory now
     * @return the condition; while unmet it says what the directory holds instead. It never becomes
     *     unreachable
     */
    public static ProcessCondition fileExists(Path path) {
        Objects.requireNonNull(path, "path must not be null");
        Path absolute = path.toAbsolutePath();
        return new ProcessCondition("a file at " + absolute, () -> {
            if (Files.exists(absolute)) {
                return null;
            }
            Path dir = absolute.getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                return "there is none yet, nor its directory " + dir;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
                if (names.isEmpty()) {
                    return "there is none yet; " + dir + " is empty";
                }
                String shown = String.join(", ", names.subList(0, Math.min(LISTED_FILES, names.size())));
                return "there is none yet; " + dir + " contains " + shown
                        + (names.size() > LISTED_FILES ? " and " + (names.size() - LISTED_FILES) + " more" : "");
            } catch (IOException e) {
                return "there is none yet; " + dir + " cannot be listed (" + e.getMessage() + ")";
            }
        });
    }

    /** The portable platform: the port accepts a connection while the process (or a descendant) lives. */
    private static String portUnmetByConnecting(ManagedProcess process, int port) {
        Optional<ExitStatus> status = process.exitStatus();
        boolean ended = status.isPresent() || !process.isAlive();
        List<ProcessInfo> descendants = ended ? List.of() : process.descendants();
        if (!ended && accepts(port)) {
            return null;
        }
        if (ended) {
            String how = status.map(s -> s.exited() ? s.toString() : "was " + s).orElse("ended");
            throw new ConditionUnreachableException(subject(process) + " " + how + " without TCP port " + port
                    + " accepting connections" + lastStderrLines(process.stderr()));
        }
        return "nothing accepts connections on TCP port " + port + " of localhost yet (" + (descendants.isEmpty()
                ? "it has no live descendants" : "it has " + descendants.size() + " live descendants")
                + "; on the portable platform the port is probed by connecting: which process holds it cannot be read)";
    }

    private static boolean accepts(int port) {
        for (java.net.InetAddress local : new java.net.InetAddress[] {java.net.InetAddress.getLoopbackAddress(),
            ipv6Loopback()}) {
            if (local == null) {
                continue;
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(local, port), 200);
                return true;
            } catch (IOException e) {
                // refused (or no IPv6 here): try the next address
            }
        }
        return false;
    }

    private static java.net.InetAddress ipv6Loopback() {
        try {
            return java.net.InetAddress.getByName("::1");
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static String subject(ManagedProcess process) {
        return "pid " + process.pid() + " (" + String.join(" ", process.command()) + ")";
    }

    private static String lastStderrLines(ProcessOutput stderr) {
        if (!stderr.isCaptured()) {
            return "";
        }
        List<String> lines = stderr.lines();
        return lines.isEmpty() ? "; its stderr is empty" : "; last lines of stderr:" + indent(tail(lines));
    }

    private static String lastLines(List<String> lines) {
        return lines.isEmpty() ? "; it printed nothing" : "; last lines:" + indent(tail(lines));
    }

    private static List<String> tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - LAST_LINES), lines.size());
    }

    private static String indent(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(NL).append("  ").append(l);
        }
        return sb.toString();
    }
}
