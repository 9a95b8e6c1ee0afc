package dev.managedprocesses;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What happened to one process of a scope, written when the scope is torn down: what it was, how it
 * ended, who ended it, and how long teardown took. The JUnit extension publishes one report entry
 * per record.
 */
public final class ProcessRecord {

    /** How the process came to belong to the scope. */
    public enum Origin {
        /** Started by the scope, in a process group of its own. */
        STARTED,
        /** Adopted with {@code ProcessScope.adopt(...)}. */
        ADOPTED,
        /** A descendant that left its group ({@code setsid}, double fork), found at teardown by the scope's marker. */
        ESCAPED
    }

    private final long pid;
    private final List<String> command;
    private final Origin origin;
    private final boolean leftover;
    private final EndedBy endedBy;
    private final ExitStatus exitStatus;
    private final Duration teardownTime;
    private final boolean survived;

    ProcessRecord(long pid, List<String> command, Origin origin, boolean leftover, EndedBy endedBy,
            ExitStatus exitStatus, Duration teardownTime, boolean survived) {
        this.pid = pid;
        this.command = List.copyOf(command);
        this.origin = origin;
        this.leftover = leftover;
        this.endedBy = endedBy;
        this.exitStatus = exitStatus;
        this.teardownTime = teardownTime;
        this.survived = survived;
    }

    public long pid() {
        return pid;
    }

    public List<String> command() {
        return command;
    }

    public Origin origin() {
        return origin;
    }

    /** True when the process (or its group) was still running when teardown began. */
    public boolean wasLeftover() {
        return leftover;
    }

    /** What ended it; empty when it survived. */
    public Optional<EndedBy> endedBy() {
        return Optional.ofNullable(endedBy);
    }

    /** Its exit status, when known (processes adopted by pid are not our children: theirs is unknown). */
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(exitStatus);
    }

    /** How long teardown took for it; empty when it had ended before teardown. */
    public Optional<Duration> teardownTime() {
        return Optional.ofNullable(teardownTime);
    }

    /** True when it needed SIGKILL: it ignored (or did not finish on) SIGTERM within the grace period. */
    public boolean neededSigkill() {
        return leftover && endedBy == EndedBy.SIGKILL;
    }

    /** True when it was still alive after SIGKILL. */
    public boolean survived() {
        return survived;
    }

    /** One line, e.g. {@code pid 42 (sleep 100): killed by SIGTERM, ended by SIGTERM from teardown in 3 ms}. */
    public String summary() {
        StringBuilder sb = new StringBuilder("pid ").append(pid).append(" (").append(String.join(" ", command))
                .append(")");
        if (origin != Origin.STARTED) {
            sb.append(" [").append(origin.name().toLowerCase(java.util.Locale.ROOT)).append("]");
        }
        sb.append(": ");
        if (survived) {
            return sb.append("STILL ALIVE after SIGKILL").toString();
        }
        sb.append(exitStatus != null ? exitStatus.toString() : "exit status unknown");
        if (!leftover) {
            sb.append(", ended before teardown").append(switch (endedBy == null ? EndedBy.ITSELF : endedBy) {
                case ITSELF -> " by itself";
                case SIGNAL -> " after a signal from the test";
                case SIGTERM -> " after terminate()";
                case SIGKILL -> " after kill()";
            });
        } else {
            sb.append(switch (endedBy == null ? EndedBy.ITSELF : endedBy) {
                case ITSELF -> ", ended by itself during teardown";
                case SIGNAL -> ", ended after a signal from the test";
                case SIGTERM -> ", ended by SIGTERM from teardown";
                case SIGKILL -> ", needed SIGKILL after the grace period (WARNING: it ignored SIGTERM)";
            });
            if (teardownTime != null) {
                sb.append(" in ").append(teardownTime.toMillis()).append(" ms");
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
