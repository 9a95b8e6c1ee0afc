package dev.managedprocesses.torture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessRecord;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.SurvivorsException;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.Proc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Many scopes with randomized mixtures of hostile children; after every scope a /proc scan proves
 * nothing of it survives, and trapping strangers prove nothing unrelated was signalled.
 *
 * <p>Default: {@value #DEFAULT_SCOPES} scopes (in the normal test command). Heavy mode:
 * {@code mvn -pl extension test -Dtest=TortureTest -Dmanagedprocesses.torture.scopes=1000}.
 * The seed is printed; re-run one with {@code -Dmanagedprocesses.torture.seed=N}.
 */
class TortureTest {
    static final int DEFAULT_SCOPES = 200;
    /**
     * In the command line of every process of the daemon kinds (which wipe the scope's variable): their sleep's
     * duration, unique to this JVM, so that another build on the machine running this test is not counted.
     */
    static final String TOKEN = "313." + (ProcessHandle.current().pid() % 100_000 + 100_000);
    /** Placeholder for the JVM's process group. */
    static final String JVM_PGID = "JVM_PGID";

    /** The kinds of children; each is started in a scope and left for teardown (or ends by itself). */
    enum Kind {
        OBEDIENT("sleep 300"),
        IGNORES_TERM("trap '' TERM; exec sleep 300"),
        STOPPED("exec sleep 300"),
        SETSID_ESCAPEE("setsid sleep 300 & exec sleep 300"),
        DOUBLE_FORK("(sleep 300 &) ; exit 0"),
        FORK_STORM("i=0; while [ $i -lt 200 ]; do (sleep 0.05 &) ; i=$((i+1)); done; exec sleep 300"),
        EXITS_AT_ONCE("exit 3"),
        ZOMBIE_PARENT("sleep 0.01 & exec sleep 300"),
        OWN_GROUP("exec python3 -c 'import os, time; os.setpgid(0, 0); time.sleep(300)'"),
        GRANDCHILDREN("sleep 300 & sleep 300 & sleep 300 & wait"),
        // Real daemons: nothing of the scope's environment left, a title instead of the command line, a
        // group of someone else's, a successor in a new session on SIGTERM. TOKEN finds them afterwards.
        ENV_WIPED_DAEMON("(env -i setsid sleep " + TOKEN + " &) ; exit 0"),
        TITLED_DAEMON("exec perl -e 'use POSIX; exit if fork; POSIX::setsid(); exit if fork;"
                + " $0 = \"mp-torture-daemon " + TOKEN + "\"; sleep 300'"),
        JVM_GROUP_HOPPER("exec env -i python3 -c 'import os, time; os.setpgid(0, " + JVM_PGID + "); time.sleep("
                + TOKEN + ")'"),
        RESPAWNS_ON_TERM("trap 'env -i setsid sleep " + TOKEN + " & exit 0' TERM; sleep " + TOKEN + " & wait");

        final String script;

        Kind(String script) {
            this.script = script;
        }
    }

    @LinuxOnly("escapees (setsid, double fork) found by the scope's cookie and the child subreaper; suspend()")
    @Test
    void randomized_scopes_leave_nothing_and_touch_no_stranger() throws Exception {
        int scopes = Integer.getInteger("managedprocesses.torture.scopes", DEFAULT_SCOPES);
        long seed = Long.getLong("managedprocesses.torture.seed", System.nanoTime());
        Random random = new Random(seed);
        int started = 0;
        int ended = 0;
        int sigkilled = 0;
        int escapees = 0;
        List<String> survivors = new ArrayList<>();
        Set<Long> reported = new HashSet<>();
        List<String> zombiesLeft = new ArrayList<>();
        long slowestMillis = -1;
        String slowest = "";
        String jvmGroup = Long.toString(Proc.pgid(ProcessHandle.current().pid()));
        try (TrappingStrangers strangers = new TrappingStrangers(5)) {
            for (int s = 0; s < scopes; s++) {
                ProcessScope scope = ProcessScope.builder().name("torture " + s)
                        .gracePeriod(Duration.ofMillis(50 + random.nextInt(150))).open();
                String marker = ProcessScope.SCOPE_VARIABLE + "=" + scope.id();
                List<ManagedProcess> mine = new ArrayList<>();
                List<Kind> kinds = new ArrayList<>();
                List<Long> zombiesBefore = Proc.zombieChildren(); // e.g. orphans of earlier tests' JDK processes
                try {
                    int children = 2 + random.nextInt(4);
                    for (int c = 0; c < children; c++) {
                        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                        ManagedProcess p = scope.start("sh", "-c", kind.script.replace(JVM_PGID, jvmGroup));
                        mine.add(p);
                        kinds.add(kind);
                        if (kind == Kind.STOPPED) {
                            p.suspend();
                        }
                    }
                    started += children;
                    if (random.nextInt(4) == 0) {
                        Thread.sleep(random.nextInt(30)); // sometimes let them get going (forks, escapes)
                    }
                } finally {
                    long closing = System.nanoTime();
                    try {
                        scope.close();
                    } catch (SurvivorsException e) {
                        survivors.add(e.getMessage());
                    }
                    long millis = (System.nanoTime() - closing) / 1_000_000;
                    if (millis > slowestMillis) {
                        slowestMillis = millis;
                        slowest = kinds.toString();
                    }
                }
                for (ProcessRecord r : scope.records()) {
                    if (r.wasLeftover()) {
                        ended++;
                    }
                    if (r.neededSigkill()) {
                        sigkilled++;
                    }
                    if (r.origin() == ProcessRecord.Origin.ESCAPED) {
                        escapees++;
                    }
                }
                for (ManagedProcess p : mine) {
                    if (Proc.alive(p.pid()) && Proc.startTime(p.pid()) == p.identity().startTime()) {
                        survivors.add("scope " + s + ": " + p);
                    }
                }
                for (long pid : Proc.zombieChildren()) {
                    if (zombiesBefore.contains(pid)) {
                        continue;
                    }
                    zombiesLeft.add("scope " + s + " " + kinds + ": zombie " + pid + " (" + Proc.comm(pid) + ")");
                }
                List<Long> marked = Proc.withEnvironment(marker);
                if (!marked.isEmpty()) {
                    survivors.add("scope " + s + ": marked processes alive after teardown: " + marked);
                }
                for (long pid : Proc.withCommandLine(TOKEN)) {
                    if (reported.add(pid)) { // once, with what teardown recorded: not again for every later scope
                        survivors.add("scope " + s + " " + kinds + ": daemon alive after teardown: " + pid + " ("
                                + Proc.cmdline(pid) + ", " + Proc.cgroup(pid) + "); the scope's records: "
                                + scope.records().stream().map(ProcessRecord::summary).toList());
                    }
                }
            }
            int wronged = strangers.wronged();
            System.out.printf("[torture] seed=%d scopes=%d processes started=%d ended by teardown=%d (needing SIGKILL=%d, "
                    + "escapees found=%d) survivors=%d strangers signalled=%d; slowest teardown %d ms: %s%n", seed, scopes, started, ended,
                    sigkilled, escapees, survivors.size(), wronged, slowestMillis, slowest);
            assertThat(survivors).as("seed %d", seed).isEmpty();
            assertThat(wronged).as("strangers signalled (seed %d):%n%s", seed, strangers.describe()).isZero();
            assertThat(zombiesLeft).as("zombie children of the JVM left by scopes").isEmpty();
        }
    }
}
