package dev.managedprocesses;

import dev.managedprocesses.internal.os.SignalResult;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.internal.janitor.Janitor;
import dev.managedprocesses.internal.safety.Subreaper;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.testing.ChildJvm;
import dev.managedprocesses.testing.Containment;
import dev.managedprocesses.testing.LinuxOnly;
import dev.managedprocesses.testing.PidReuse;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * Crash safety, with real JVMs: a child JVM ({@code testing.CrashChild}) starts managed processes and
 * is then killed with SIGKILL (no shutdown hook runs), stopped, or left to exit; its janitor must end
 * exactly what was the child's, and nothing else.
 *
 * <p>This JVM is made a subreaper first, so the dead child's orphans (its janitor included) re-parent
 * here, where the tests reap them: nothing is left behind, not even a zombie.
 */
@LinuxOnly("crash safety: the janitor process ends everything when the JVM is SIGKILLed")
class CrashSafetyTest {
    private static final long SELF = ProcessHandle.current().pid();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Os OS = Os.current();

    /**
     * This JVM, the harness, must be a subreaper to reap the orphans of the child JVMs it kills, even where the
     * children under test run without one (the cgroups-off-no-subreaper execution passes the property to them).
     */
    @BeforeAll
    static void subreaper() {
        assumeTrue(Subreaper.force(OS.control()), "Skipped: this JVM cannot become a subreaper (prctl "
                + "PR_SET_CHILD_SUBREAPER failed), which it needs to reap the killed children's orphans");
    }

    @Test
    void a_killed_jvm_leaves_none_of_its_twenty_groups_or_escapees_alive_two_seconds_later(TestReporter reporter)
            throws Exception {
        try (Stranger stranger = Stranger.start(); Child child = new Child("twenty")) {
            List<Long> groups = child.numbers("group");
            List<Long> marked = child.numbers("marked");
            long janitor = child.janitor();
            assertThat(groups).hasSize(20);
            assertThat(marked).as("15 sleeps, 2 x (sh + 2 sleeps), sh + sleep ignoring SIGTERM, 2 escapees").hasSize(25);
            assertThat(marked).as("every marked process still exists").allMatch(child::running);

            long killed = System.nanoTime();
            child.jvm.process().destroyForcibly(); // SIGKILL: no shutdown hook, no finally, nothing runs
            boolean gone = poll(TIMEOUT, () -> marked.stream().noneMatch(child::running) && child.liveMembers(groups).isEmpty());
            Duration took = Duration.ofNanos(System.nanoTime() - killed);
            reporter.publishEntry("from SIGKILL of the JVM until all its processes were gone", took.toMillis() + " ms");

            assertThat(gone).as("every process of the killed JVM is gone; still running: %s", child.liveMembers(groups))
                    .isTrue();
            assertThat(took).as("from the SIGKILL of the JVM until the last of its processes was gone")
                    .isLessThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(stranger.untouched()).as("a process started outside the JVM is never signalled").isTrue();
            assertThat(child.reapOrphans().get(janitor)).as("the janitor's exit: 2, it ended a dead JVM's processes")
                    .isEqualTo(ExitStatus.exited(2));
            assertThat(child.jvm.lines()).as("the child JVM printed only its report").allMatch(CrashSafetyTest::isReport);
        }
    }

    /**
     * The JVM dies within moments of spawning a leader that exec'd {@code env -i}: its group's registration has
     * not reached the janitor, and it carries no cookie. Its cgroup (registered before the first spawn), or
     * without cgroups its marker (registered at once, set on the child before start() returns), ends it.
     */
    @Test
    void a_leader_without_cookie_whose_jvm_died_at_once_is_ended_by_its_cgroup_or_its_marker() throws Exception {
        try (Stranger stranger = Stranger.start(); Child child = new Child("crash-at-once-environment-wiped")) {
            long leader = child.numbers("group").get(0);
            long start = child.numbers("start").get(0);
            long janitor = child.janitor();
            assertThat(child.jvm.awaitExit(TIMEOUT)).as("the child killed itself").isEqualTo(128 + 9);

            assertThat(poll(TIMEOUT, () -> Proc.startTime(leader) != start || !Proc.alive(leader)))
                    .as("the group leader %d, with a wiped environment, is ended", leader).isTrue();
            child.ids.put(leader, start);
            assertThat(child.reapOrphans().get(janitor)).as("the janitor's exit: it ended a dead JVM's processes")
                    .isEqualTo(ExitStatus.exited(2));
            assertThat(stranger.untouched()).isTrue();
        }
    }

    @Test
    void a_group_whose_registration_had_not_reached_the_janitor_yet_is_ended_through_what_its_scope_registered()
            throws Exception {
        try (Stranger stranger = Stranger.start(); Child child = new Child("crash-at-once")) {
            long leader = child.numbers("group").get(0);
            long start = child.numbers("start").get(0);
            long janitor = child.janitor();
            long elapsedMicros = child.numbers("elapsed").get(0);
            assertThat(child.jvm.awaitExit(TIMEOUT)).as("the child killed itself").isEqualTo(128 + 9);
            // In cgroup mode the group is never registered on its own (its cgroup holds it): always the case under test.
            assumeTrue(Containment.cgroups() || elapsedMicros < Janitor.REGISTRATION_DELAY_MILLIS * 1000,
                    () -> "Skipped: this machine took " + elapsedMicros + " µs to start a process, so the registration "
                            + "may have been written in time");

            assertThat(poll(TIMEOUT, () -> Proc.startTime(leader) != start || !Proc.alive(leader)))
                    .as("the group leader %d, known to the janitor only through its scope's cookie, is ended", leader)
                    .isTrue();
            child.ids.put(leader, start); // reaped below if it ended as this JVM's zombie (we are a subreaper)
            assertThat(child.reapOrphans().get(janitor)).as("the janitor's exit: it ended a dead JVM's processes")
                    .isEqualTo(ExitStatus.exited(2));
            assertThat(stranger.untouched()).isTrue();
        }
    }

    @Test
    void an_adopted_process_is_known_to_the_janitor_as_soon_as_adopt_returns() throws Exception {
        // Meaningful only when the kill came before the delayed batch could have been written: a loaded machine
        // gets a few attempts before the test gives up (a skip that says so).
        long elapsedMicros = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5 && elapsedMicros >= Janitor.REGISTRATION_DELAY_MILLIS * 1000; attempt++) {
            try (Stranger stranger = Stranger.start(); Child child = new Child("adopt-and-crash-at-once")) {
                long solo = child.numbers("solo").get(0);
                long start = child.numbers("start").get(0);
                long janitor = child.janitor();
                assertThat(child.jvm.awaitExit(TIMEOUT)).as("the child killed itself").isEqualTo(128 + 9);
                elapsedMicros = child.numbers("elapsed").get(0);
                long elapsed = elapsedMicros;

                // It carries no scope cookie: only its own registration can tell the janitor about it.
                assertThat(poll(TIMEOUT, () -> Proc.startTime(solo) != start || !Proc.alive(solo)))
                        .as("the adopted process %d, killed with its JVM %d µs after adopt() was called", solo, elapsed)
                        .isTrue();
                child.ids.put(solo, start); // reaped below: it ended as this JVM's zombie (we are a subreaper)
                assertThat(child.reapOrphans().get(janitor)).as("the janitor's exit: it ended a dead JVM's processes")
                        .isEqualTo(ExitStatus.exited(2));
                assertThat(stranger.untouched()).isTrue();
            }
        }
        long elapsed = elapsedMicros;
        assumeTrue(elapsed < Janitor.REGISTRATION_DELAY_MILLIS * 1000, () -> "Skipped: this machine took " + elapsed
                + " µs from adopt() to the kill (5 attempts), so even a delayed registration may have been written in time");
    }

    @Test
    void a_registered_pid_recycled_by_a_stranger_is_not_killed() throws Exception {
        String why = PidReuse.unavailableReason();
        assumeTrue(why == null, () -> "Skipped: " + why);
        List<Process> strangers = new ArrayList<>();
        try (Stranger bystander = Stranger.start(); Child child = new Child("recycle")) {
            List<Long> groups = child.numbers("group");
            List<Long> solos = child.numbers("solo");
            long janitor = child.janitor();
            long recycledGroup = groups.get(0);
            long recycledSolo = solos.get(0);
            long keptGroup = groups.get(1);
            long keptSolo = solos.get(1);

            // The janitor waits, stopped, while the registered processes die and their pids are recycled,
            // so that it meets exactly the situation under test when it reads end of input.
            signal(janitor, Signal.STOP);
            assertThat(poll(TIMEOUT, () -> Proc.state(janitor) == 'T')).isTrue();
            // The child, stopped, can neither reap nor unregister: the janitor keeps both registrations.
            signal(child.jvm.pid(), Signal.STOP);
            // Every thread, not just the main one: a reactor thread still running would reap what we kill next.
            assertThat(poll(TIMEOUT, () -> allThreadsStopped(child.jvm.pid()))).isTrue();
            signal(recycledGroup, Signal.KILL);
            signal(recycledSolo, Signal.KILL);
            child.jvm.process().destroyForcibly();
            assertThat(child.jvm.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            for (long pid : List.of(recycledGroup, recycledSolo)) {
                // Orphaned, it re-parents here (a subreaper); reaping it frees its pid for a stranger.
                assertThat(poll(TIMEOUT, () -> Proc.state(pid) == 'Z' && Proc.ppid(pid) == SELF)).as("pid %d", pid).isTrue();
                assertThat(OS.control().reap(pid)).as("reaping pid %d", pid).isPresent();
                Optional<Process> stranger = PidReuse.startWithPid(pid, "sleep", "300");
                stranger.ifPresent(strangers::add);
                if (stranger.isEmpty()) {
                    signal(janitor, Signal.CONT);
                    assumeTrue(false, "Skipped: could not get pid " + pid + " reused in 50 tries");
                }
            }
            for (Process s : strangers) {
                assertThat(Proc.startTime(s.pid())).as("a new process on pid %d", s.pid()).isNotEqualTo(child.start(s.pid()));
            }
            Map<Long, Long> strangerStarts = new LinkedHashMap<>();
            strangers.forEach(s -> strangerStarts.put(s.pid(), Proc.startTime(s.pid())));

            signal(janitor, Signal.CONT);
            assertThat(poll(TIMEOUT, () -> !Proc.alive(janitor))).as("the janitor did its work and exited").isTrue();
            assertThat(poll(TIMEOUT, () -> !child.running(keptGroup) && !child.running(keptSolo)))
                    .as("the registered processes that kept their identity were ended: the janitor did act").isTrue();
            for (Process s : strangers) {
                assertThat(s.isAlive()).as("the stranger on recycled pid %d", s.pid()).isTrue();
                assertThat(Proc.startTime(s.pid())).isEqualTo(strangerStarts.get(s.pid()));
                assertThat(Proc.state(s.pid())).as("not stopped either").isNotEqualTo('T');
            }
            assertThat(bystander.untouched()).isTrue();
            assertThat(child.reapOrphans().get(janitor)).isEqualTo(ExitStatus.exited(2));
        } finally {
            for (Process s : strangers) {
                s.destroyForcibly();
                s.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void a_normal_exit_ends_the_open_scopes_and_the_janitor_quietly() throws Exception {
        try (Stranger stranger = Stranger.start(); Child child = new Child("exit")) {
            List<Long> marked = child.numbers("marked");
            long janitor = child.janitor();

            long janitorStart = Proc.startTime(janitor);
            assertThat(child.jvm.awaitExit(TIMEOUT)).as("exit code").isZero();
            // Reaped by the child JVM before it exited: never re-parented to this JVM (a subreaper), not even as a
            // zombie for an instant (the benchmarks' smoke test once saw one among its descendants).
            assertThat(Proc.exists(janitor) && Proc.startTime(janitor) == janitorStart)
                    .as("janitor %d still exists after its JVM exited (state %s, parent %s)", janitor,
                            Proc.exists(janitor) ? Proc.state(janitor) : '-', Proc.exists(janitor) ? Proc.ppid(janitor) : -1)
                    .isFalse();
            assertThat(marked).as("the shutdown hook closed the scope left open, escapee included")
                    .noneMatch(child::running);
            assertThat(child.jvm.lines()).as("nothing printed but the child's own report").allMatch(CrashSafetyTest::isReport);
            // Its exit status (0 after "bye") is the child JVM's to read: its reactor reaps it during the exit.
            assertThat(poll(TIMEOUT, () -> !child.running(janitor))).as("the janitor exits with the JVM").isTrue();
            assertThat(stranger.untouched()).isTrue();
        }
    }

    @Test
    void without_a_janitor_one_warning_says_why_and_a_normal_exit_still_ends_the_open_scopes() throws Exception {
        try (Child child = new Child("exit", "-Dmanagedprocesses.internal.janitor.shell=/nonexistent/sh")) {
            List<Long> marked = child.numbers("marked");

            assertThat(child.jvm.awaitExit(TIMEOUT)).as("exit code").isZero();
            assertThat(marked).as("the shutdown hook is the fallback").noneMatch(child::running);
            assertThat(child.jvm.lines()).contains("janitor none");
            assertThat(child.jvm.lines()).filteredOn(line -> !isReport(line)).singleElement().asString()
                    .startsWith("managed-processes: WARNING: crash safety is off: cannot start the janitor process "
                            + "(/nonexistent/sh: ENOENT")
                    .endsWith("Processes are still ended at normal JVM exit (by a shutdown hook), but not if this JVM "
                            + "is killed");
        }
    }

    @Test
    void a_janitor_killed_while_the_jvm_runs_is_replaced_and_the_replacement_knows_everything() throws Exception {
        try (Stranger stranger = Stranger.start(); Child child = new Child("watch")) {
            List<Long> groups = child.numbers("group");
            long first = child.janitor();

            signal(first, Signal.KILL);
            long second = child.nextJanitor(first);
            // The scope's marker, and either the cgroups' kill file (cgroup mode: the cgroups hold the groups) or
            // the scope's cookie and its three groups.
            int registrations = Containment.cgroups() ? 2 : 5;
            child.jvm.awaitLine(l -> l.equals("managed-processes: WARNING: the janitor process (pid " + first + ") was "
                    + "killed by SIGKILL; a new one (pid " + second + ") took over " + registrations + " registrations"),
                    TIMEOUT);
            assertThat(Proc.startTime(first)).as("the child reaped its first janitor").isNotEqualTo(child.start(first));

            child.killAndAwaitGone(groups);
            assertThat(stranger.untouched()).isTrue();
            assertThat(child.reapOrphans().get(second)).isEqualTo(ExitStatus.exited(2));
        }
    }

    @Test
    void a_janitor_pipe_closed_by_mistake_is_no_crash_nothing_is_ended_and_a_new_janitor_takes_over() throws Exception {
        try (Child child = new Child("watch")) {
            List<Long> groups = child.numbers("group");
            long first = child.janitor();

            child.jvm.send("close-pipe");
            long second = child.nextJanitor(first);
            // Whichever the JVM sees first says why: the old janitor's exit at end of input, or a write to the
            // closed descriptor (EBADF; its number may already name a file opened read-only since).
            String prefix = "managed-processes: WARNING: the janitor process (pid " + first + ") ";
            child.jvm.awaitLine(l -> l.startsWith(prefix + "exited because its pipe reached end of input while this JVM "
                    + "was running") || l.startsWith(prefix + "cannot be written to (EBADF"), TIMEOUT);
            assertThat(groups).as("the first janitor touched nothing: the JVM was alive").allMatch(child::running);

            child.killAndAwaitGone(groups);
            assertThat(child.reapOrphans().get(second)).isEqualTo(ExitStatus.exited(2));
        }
    }

    @Test
    void without_pidfds_a_dead_janitor_is_noticed_and_replaced_and_the_replacement_knows_everything() throws Exception {
        try (Child child = new Child("watch", "-Dmanagedprocesses.internal.pidfd=false")) {
            long first = child.janitor();

            signal(first, Signal.KILL);
            child.jvm.send("start"); // a registration right then: it may meet the broken pipe, or the dying janitor
            long second = child.nextJanitor(first);
            String warning = child.jvm.awaitLine(l -> l.startsWith("managed-processes: WARNING: the janitor process (pid "
                    + first + ") "), TIMEOUT);
            assertThat(warning).as("noticed by its status (polled) or by the broken pipe").containsAnyOf(
                    ") was killed by SIGKILL; a new one (pid " + second + ") took over ", ") cannot be written to (EPIPE");
            assertThat(poll(TIMEOUT, () -> child.jvm.numbers("group").size() == 4)).as("the fourth group started").isTrue();
            List<Long> groups = child.jvm.numbers("group");
            child.remember(groups);
            assertThat(poll(TIMEOUT, () -> Proc.startTime(first) != child.start(first)))
                    .as("the child reaped its first janitor").isTrue();

            child.killAndAwaitGone(groups);
            assertThat(child.reapOrphans().get(second)).isEqualTo(ExitStatus.exited(2));
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A line of the child's report (see {@code CrashChild}), or the one line a JVM states its containment with;
     * anything else was printed by the library.
     */
    private static boolean isReport(String line) {
        return line.equals("ready") || line.matches("(scope|group|solo|marked|janitor|closed|start|elapsed) \\S+")
                || line.startsWith("managed-processes: containment: ");
    }

    /**
     * A child JVM and the identities (pid and start time) of the processes it reported. Closing it kills
     * the child if it still runs, SIGKILLs what it reported that still runs (only a failed test leaves
     * any), and reaps the orphans that ended as zombie children of this JVM.
     */
    private static final class Child implements AutoCloseable {
        final ChildJvm jvm;
        private final Map<Long, Long> ids = new LinkedHashMap<>();
        private long newest;

        Child(String mode, String... jvmOptions) throws Exception {
            jvm = ChildJvm.start(mode, jvmOptions);
            jvm.awaitReady();
            for (String key : List.of("group", "solo", "marked", "janitor")) {
                for (long pid : jvm.numbers(key)) {
                    long start = Proc.startTime(pid);
                    if (start > 0) { // a group leader may be gone already (its sh exited after a setsid)
                        ids.put(pid, start);
                    }
                }
            }
            newest = ids.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }

        List<Long> numbers(String key) {
            return jvm.numbers(key);
        }

        long janitor() {
            return jvm.numbers("janitor").get(0);
        }

        Long start(long pid) {
            return ids.get(pid);
        }

        /** Remembers the identities of processes reported after {@code ready}. */
        void remember(List<Long> pids) {
            for (long pid : pids) {
                ids.putIfAbsent(pid, Proc.startTime(pid));
            }
            newest = ids.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }

        /** Waits for the child to report a janitor other than {@code previous}; remembers its identity. */
        long nextJanitor(long previous) throws InterruptedException {
            String line = jvm.awaitLine(l -> l.startsWith("janitor ") && !l.equals("janitor " + previous), TIMEOUT);
            long pid = Long.parseLong(line.substring("janitor ".length()));
            ids.put(pid, Proc.startTime(pid));
            return pid;
        }

        /** This very process (pid and start time) is alive. */
        boolean running(long pid) {
            Long start = ids.get(pid);
            return start != null && Proc.alive(pid) && Proc.startTime(pid) == start;
        }

        /** Live processes in these groups, not counting a later group on a recycled id. */
        List<Long> liveMembers(List<Long> groups) {
            Set<Long> wanted = new HashSet<>(groups);
            List<Long> out = new ArrayList<>();
            for (long pid : Proc.pids()) {
                Optional<String[]> f = Proc.stat(pid);
                if (f.isPresent() && wanted.contains(Long.parseLong(f.get()[2])) && Long.parseLong(f.get()[19]) <= newest
                        && f.get()[0].charAt(0) != 'Z' && f.get()[0].charAt(0) != 'X') {
                    out.add(pid);
                }
            }
            return out;
        }

        void killAndAwaitGone(List<Long> groups) {
            jvm.process().destroyForcibly();
            assertThat(poll(TIMEOUT, () -> liveMembers(groups).isEmpty()))
                    .as("the groups of the killed JVM are gone; still running: %s", liveMembers(groups)).isTrue();
        }

        /**
         * Reaps those reported processes that ended as zombie children of this JVM, waiting until each is
         * gone one way or the other; returns the exit statuses it read.
         */
        Map<Long, ExitStatus> reapOrphans() {
            Map<Long, ExitStatus> reaped = new LinkedHashMap<>();
            poll(TIMEOUT, () -> {
                boolean done = true;
                for (Map.Entry<Long, Long> e : ids.entrySet()) {
                    long pid = e.getKey();
                    if (Proc.startTime(pid) != e.getValue()) {
                        continue; // gone (or its pid recycled)
                    }
                    if (Proc.state(pid) == 'Z' && Proc.ppid(pid) == SELF) {
                        OS.control().reap(pid).ifPresent(s -> reaped.put(pid, s));
                    } else {
                        done = false;
                    }
                }
                return done;
            });
            return reaped;
        }

        /**
         * The safety net of a failed test. The child's janitor gets its time first (killing it mid-work
         * would leave exactly what it was about to end); then whatever still runs with the child's
         * cookie or a reported identity gets SIGKILL.
         */
        @Override
        public void close() {
            jvm.close();
            List<Long> janitors = jvm.numbers("janitor");
            poll(TIMEOUT, () -> janitors.stream().noneMatch(this::running));
            for (String scope : jvm.lines()) {
                if (scope.startsWith("scope ")) {
                    for (long pid : Proc.withEnvironment(ProcessScope.SCOPE_VARIABLE + "=" + scope.substring(6))) {
                        ids.putIfAbsent(pid, Proc.startTime(pid));
                    }
                }
            }
            for (long pid : ids.keySet()) {
                if (running(pid)) {
                    OS.control().signalPid(pid, Signal.KILL);
                }
            }
            reapOrphans();
        }
    }

    private static boolean allThreadsStopped(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.allMatch(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    return state == 'T' || state == 't';
                } catch (IOException e) {
                    return true; // a thread that is gone runs nothing
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    private static void signal(long pid, Signal signal) {
        assertThat(OS.control().signalPid(pid, signal)).as("%s to pid %d", signal, pid)
                .isEqualTo(SignalResult.DELIVERED);
    }

    /** Polls gently (20 ms): the machine is shared, and the janitor under test needs the CPU. */
    private static boolean poll(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
