package dev.managedprocesses.internal.assertj;

import dev.managedprocesses.EndedBy;
import dev.managedprocesses.ExitStatus;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import dev.managedprocesses.ProcessInfo;
import dev.managedprocesses.ProcessOutput;
import dev.managedprocesses.internal.core.ProcessLookup;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an assertion failure says about a {@link ManagedProcess}, read once when the assertion fails:
 * its identity, how it ended and who ended it, the last lines of its stderr, and its live descendants.
 *
 * <p>The rendered block (after the {@code but ...} line of each message):
 * <pre>
 * Process facts:
 *   identity: pid 4242 (started at tick 981), boot id 8e1f...
 *   status: exited 3, on its own
 *   stderr (1 line):
 *     usage: tool FILE
 *   live descendants: none
 * </pre>
 */
public final class ProcessFacts {
    /** How many lines of stderr a message shows at most. */
    public static final int STDERR_LINES = 5;
    /** How many descendants a message lists at most. */
    public static final int MAX_DESCENDANTS = 20;
    private static final int MAX_LINE = 200;
    /** What {@code %n} becomes in a message: the facts are an argument of the format, not part of it. */
    public static final String NL = System.lineSeparator();

    /** What a process whose exit status is unknown has instead, in the status line. */
    public static final String UNKNOWN_STATUS = "ended, exit status unknown (adopted by pid or ProcessHandle)";

    private final ManagedProcess process;
    private final boolean running;
    private final Optional<ExitStatus> status;
    private final Optional<EndedBy> endedBy;
    private final List<ProcessInfo> descendants;

    private ProcessFacts(ManagedProcess process, List<ProcessInfo> descendants) {
        this.process = process;
        this.status = settledStatus(process);
        // Running or ended is the handle's identity-verified isAlive(), not the presence of an exit
        // status: a process adopted by pid or ProcessHandle ends without one.
        this.running = status.isEmpty() && process.isAlive();
        this.endedBy = process.endedBy();
        this.descendants = descendants != null ? descendants : liveDescendants(process);
    }

    /**
     * The exit status, once the library has recorded how the process ended. The kernel may report the
     * end a moment before the library has recorded it (it records who ended it and drains the output
     * first): then give it a moment, so the facts are complete. A process whose status is unknown
     * (adopted by pid or ProcessHandle) makes {@code waitFor} say so at once.
     */
    public static Optional<ExitStatus> settledStatus(ManagedProcess process) {
        Optional<ExitStatus> s = process.exitStatus();
        boolean ended = s.isPresent() || !process.isAlive();
        if (ended && (s.isEmpty() || process.endedBy().isEmpty())) {
            try {
                process.waitFor(Duration.ofSeconds(1));
            } catch (IllegalStateException statusUnknown) {
                // ended, with an exit status only its parent can read
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s = process.exitStatus();
        }
        return s;
    }

    public static ProcessFacts of(ManagedProcess process) {
        return new ProcessFacts(process, null);
    }

    /** With the live descendants an assertion already looked at, so the message shows what it judged. */
    public static ProcessFacts of(ManagedProcess process, List<ProcessInfo> descendants) {
        return new ProcessFacts(process, List.copyOf(descendants));
    }

    /** {@code pid 42 (sleep 100)}: how a message names the process. */
    public static String subject(ManagedProcess process) {
        return "pid " + process.pid() + " (" + String.join(" ", process.command()) + ")";
    }

    public String subject() {
        return subject(process);
    }

    public Optional<ExitStatus> status() {
        return status;
    }

    public List<ProcessInfo> descendants() {
        return descendants;
    }

    /** Whether the handle said the process runs (no exit status, and alive). */
    public boolean running() {
        return running;
    }

    /**
     * {@code it is still running}, {@code it exited 3}, {@code it was killed by SIGTERM}, or that it
     * has ended with an exit status this JVM cannot read.
     */
    public String outcome() {
        if (status.isPresent()) {
            return outcome(status.get());
        }
        return running ? "it is still running" : "it has ended, but its exit status is unknown: it was adopted by pid or "
                + "ProcessHandle, and only its parent can read the status (adopt the JDK Process to keep it)";
    }

    public static String outcome(ExitStatus status) {
        return status.exited() ? "it " + status : "it was " + status;
    }

    /** The facts block, ending with a line break. */
    public String render() {
        StringBuilder sb = new StringBuilder("Process facts:").append(NL);
        ProcessIdentity id = process.identity();
        sb.append("  identity: ").append(id).append(", boot id ").append(id.bootId()).append(NL);
        String state = status.map(s -> ended(s, endedBy)).orElse(running ? "running" : unknownEnd(endedBy));
        sb.append("  status: ").append(state).append(NL);
        appendStderr(sb, process.stderr());
        appendDescendants(sb, descendants);
        return sb.toString();
    }

    /** {@code exited 3, on its own}, {@code killed by SIGTERM, after the SIGTERM of terminate() or the scope's teardown}. */
    public static String ended(ExitStatus status, Optional<EndedBy> endedBy) {
        String itself = status.exited() ? ", on its own" : ", from a signal this library did not send";
        return status + endedBy.map(by -> byWhom(by, itself)).orElse("");
    }

    /** {@code ended, exit status unknown (...), without a signal from this library}. */
    public static String unknownEnd(Optional<EndedBy> endedBy) {
        return UNKNOWN_STATUS + endedBy.map(by -> byWhom(by, ", without a signal from this library")).orElse("");
    }

    /**
     * Who ended it. {@link EndedBy#SIGTERM} does not tell {@code terminate()} from the scope's teardown
     * (both send the same group SIGTERM), so the message names both.
     */
    private static String byWhom(EndedBy endedBy, String itself) {
        return switch (endedBy) {
            case ITSELF -> itself;
            case SIGNAL -> ", after a signal sent with signal() or signalGroup()";
            case SIGTERM -> ", after the SIGTERM of terminate() or the scope's teardown";
            case SIGKILL -> ", after the SIGKILL of kill() or the teardown's escalation";
        };
    }

    private static void appendStderr(StringBuilder sb, ProcessOutput stderr) {
        if (!stderr.isCaptured()) {
            sb.append("  stderr: not captured" + NL);
            return;
        }
        List<String> lines = stderr.lines();
        long total = lines.size() + stderr.droppedLines();
        if (total == 0) {
            sb.append("  stderr: empty" + NL);
            return;
        }
        List<String> tail = lines.subList(Math.max(0, lines.size() - STDERR_LINES), lines.size());
        if (tail.size() == total) {
            sb.append("  stderr (").append(total).append(total == 1 ? " line" : " lines").append("):" + NL);
        } else {
            sb.append("  stderr (last ").append(tail.size()).append(" of ").append(total).append(" lines):" + NL);
        }
        for (String line : tail) {
            sb.append("    ").append(shorten(line)).append(NL);
        }
    }

    public static void appendDescendants(StringBuilder sb, List<ProcessInfo> descendants) {
        if (descendants.isEmpty()) {
            sb.append("  live descendants: none" + NL);
            return;
        }
        sb.append("  live descendants:" + NL);
        sb.append(list(descendants, "    "));
    }

    /** One line per process, {@code pid 43: sleep 100}, at most {@link #MAX_DESCENDANTS} */
    public static String list(List<ProcessInfo> processes, String indent) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(processes.size(), MAX_DESCENDANTS);
        for (int i = 0; i < shown; i++) {
            ProcessInfo p = processes.get(i);
            sb.append(indent).append("pid ").append(p.pid()).append(": ").append(shorten(p.commandLine())).append(NL);
        }
        if (processes.size() > shown) {
            sb.append(indent).append("... and ").append(processes.size() - shown).append(" more" + NL);
        }
        return sb.toString();
    }

    private static String shorten(String line) {
        return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE) + "...";
    }

    /**
     * The process's live descendants, unless its pid now names another process: then what the pid
     * leads is a stranger's family, not this process's (an exited, reaped process has none).
     */
    public static List<ProcessInfo> liveDescendants(ManagedProcess process) {
        if (pidTakenByAnother(process.identity()).isPresent()) {
            return List.of();
        }
        return process.descendants();
    }

    /** The live process that now holds {@code identity}'s pid, when it is a different process. */
    public static Optional<ProcessIdentity> pidTakenByAnother(ProcessIdentity identity) {
        return ProcessIdentity.of(identity.pid()).filter(now -> !now.equals(identity));
    }

    /** {@code pid 42 (started at tick 77): sleep 300}: a live process named by its pid, for messages. */
    public static String describe(ProcessIdentity holder) {
        String command = ProcessLookup.holder(holder.pid()).filter(s -> s.startTime() == holder.startTime())
                .map(ProcessInfo::commandLine).orElse("?");
        return holder + ": " + command;
    }

    /** Like {@link #describe(ProcessIdentity)} for a process-table entry, zombies included. */
    public static String describe(ProcessInfo stat) {
        return "pid " + stat.pid() + " (started at tick " + stat.startTime() + "): " + stat.commandLine()
                + (stat.state() == 'Z' ? " (a zombie)" : "");
    }

    /** {@code 2 s}, {@code 150 ms}. */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
