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
    private final String containment;

    ProcessRecord(long pid, List<String> command, Origin origin, boolean leftover, EndedBy endedBy,
            ExitStatus exitStatus, Duration teardownTime, boolean survived, String containment) {
        this.pid = pid;
        this.command = List.copyOf(command);
        this.origin = origin;
        this.leftover = leftover;
        this.endedBy = endedBy;
        this.exitStatus = exitStatus;
        this.teardownTime = teardownTime;
        this.survived = survived;
        this.containment = containment;
    }

    /**
     * What held the process, so that everything it forked was found: {@code cgroup v2} where the JVM may
     * create cgroups (membership decides), else {@code process groups, marker and lineage} (see README,
     * "Containment").
     *
     * @return the mechanism, in a few words
     */
    public String containment() {
        return containment;
    }

    /**
     * The process id it had; by the time the record is read, the kernel may have given it to another process.
     *
     * @return the pid
     */
    public long pid() {
        return pid;
    }

    /**
     * What it ran.
     *
     * @return the program and its arguments (for adopted and escaped processes: as read from {@code /proc}),
     *     unmodifiable
     */
    public List<String> command() {
        return command;
    }

    /**
     * How it came to belong to the scope.
     *
     * @return started, adopted, or found at teardown as an escaped descendant
     */
    public Origin origin() {
        return origin;
    }

    /**
     * True when the process (or its group) was still running when teardown began. Leaving cleanup to
     * teardown is normal; {@code @ManagedProcesses(leftovers = FAIL)} makes it an error.
     *
     * @return whether teardown had to end it
     */
    public boolean wasLeftover() {
        return leftover;
    }

    /**
     * What ended it; empty when it survived.
     *
     * @return itself, a caller's signal, SIGTERM or SIGKILL
     */
    public Optional<EndedBy> endedBy() {
        return Optional.ofNullable(endedBy);
    }

    /**
     * Its exit status, when known (processes adopted by pid are not our children: theirs is unknown).
     *
     * @return the exit status; empty when only another parent could read it (a process adopted by pid or
     *     {@code ProcessHandle}, an escaped descendant that did not end as this JVM's child), and for one
     *     that survived
     */
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(exitStatus);
    }

    /**
     * How long it took to end it: from the first signal of teardown (or of an earlier
     * {@link ManagedProcess#terminate()} or {@link ManagedProcess#kill()}) until it and its group were gone.
     *
     * @return the time; empty when it ended before teardown without {@code terminate()} or {@code kill()}
     */
    public Optional<Duration> teardownTime() {
        return Optional.ofNullable(teardownTime);
    }

    /**
     * True when it needed SIGKILL: it ignored (or did not finish on) SIGTERM within the grace period.
     * Worth a look: a process that ignores SIGTERM never gets to clean up.
     *
     * @return whether teardown had to escalate to SIGKILL for it
     */
    public boolean neededSigkill() {
        return leftover && endedBy == EndedBy.SIGKILL;
    }

    /**
     * True when it was still alive after SIGKILL (uninterruptible sleep, another user's process); the
     * scope's {@code close()} then threw {@link SurvivorsException}.
     *
     * @return whether it survived teardown
     */
    public boolean survived() {
        return survived;
    }

    /**
     * One line, e.g. {@code pid 42 (sleep 100): killed by SIGTERM, ended by SIGTERM from teardown in 3 ms
     * (cgroup v2)}.
     *
     * @return the summary, as the JUnit extension prints and publishes it
     */
    public String summary() {
        StringBuilder sb = new StringBuilder("pid ").append(pid).append(" (").append(String.join(" ", command))
                .append(")");
        if (origin != Origin.STARTED) {
            sb.append(" [").append(origin.name().toLowerCase(java.util.Locale.ROOT)).append("]");
        }
        sb.append(": ");
        if (survived) {
            return sb.append("STILL ALIVE after SIGKILL (").append(containment).append(')').toString();
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
        return sb.append(" (").append(containment).append(')').toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
