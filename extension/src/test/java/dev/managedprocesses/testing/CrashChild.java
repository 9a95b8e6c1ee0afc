package dev.managedprocesses.testing;

import dev.managedprocesses.Signal;
import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.internal.core.ContainmentMode;
import dev.managedprocesses.internal.janitor.Janitor;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.leaks.LeakSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The {@code main} of a child JVM that the crash-safety tests start (through {@link ChildJvm}) and
 * then kill, stop or let exit. It reports on stdout, one fact per line: {@code scope <id>},
 * {@code group <pgid>}, {@code solo <pid>}, {@code marked <pid>} (a live process carrying the scope's
 * cookie), {@code janitor <pid>|none}, then {@code ready}. Anything else on its stdout or stderr is
 * the library speaking (or a bug).
 */
public final class CrashChild {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "twenty" -> twenty();
            case "recycle" -> recycle();
            case "exit" -> exit();
            case "watch" -> watch();
            case "crash-at-once" -> crashAtOnce(false);
            case "crash-at-once-environment-wiped" -> crashAtOnce(true);
            case "adopt-and-crash-at-once" -> adoptAndCrashAtOnce();
            case "leak-check" -> leakCheck();
            case "describe" -> describe();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** 20 process groups (with members, a SIGTERM-ignorer and two escapees), then waits to be killed. */
    private static void twenty() throws Exception {
        ProcessScope scope = ProcessScope.builder().name("twenty").open();
        for (int i = 0; i < 15; i++) {
            report(scope.start("sleep", "300"));
        }
        for (int i = 0; i < 2; i++) {
            report(scope.start("sh", "-c", "sleep 300 & sleep 300 & wait"));
        }
        // The ignored SIGTERM is inherited by its sleep: the janitor needs SIGKILL for both.
        report(scope.start("sh", "-c", "trap '' TERM; sleep 300 & wait"));
        // Double fork: the sleep is orphaned (re-parented to this JVM) but stays in the group.
        report(scope.start("sh", "-c", "(sleep 300 &) ; exit 0"));
        // setsid: the sleep leaves group and session; only the scope's cookie still finds it.
        report(scope.start("sh", "-c", "setsid sleep 300 & exit 0"));
        settle(scope, 15 + 2 * 3 + 2 + 1 + 1);
        waitToBeKilled();
    }

    /** Two groups and two adopted (solo) processes, then waits to be stopped and killed. */
    private static void recycle() throws Exception {
        ProcessScope scope = ProcessScope.builder().name("recycle").open();
        report(scope.start("sleep", "300"));
        report(scope.start("sleep", "300"));
        for (int i = 0; i < 2; i++) {
            Process jdk = new ProcessBuilder("sleep", "300").start();
            System.out.println("solo " + scope.adopt(jdk).pid());
        }
        settle(scope, 2);
        waitToBeKilled();
    }

    /**
     * Starts one group and SIGKILLs this JVM at once, long before the group's registration is written to
     * the janitor ({@link Janitor#REGISTRATION_DELAY_MILLIS}): only what the scope registered before its first
     * spawn can save the day (its cgroup; without cgroups its cookie and marker). With {@code wiped} the
     * leader execs {@code env -i}, so it carries no cookie: the cgroup or the marker must do. Reports
     * {@code start <ticks>} (the group leader's start time) and {@code elapsed <µs>} (from the start() call
     * to the kill) besides the usual lines.
     */
    private static void crashAtOnce(boolean wiped) throws Exception {
        try (ProcessScope warmUp = ProcessScope.open()) {
            warmUp.start("true").waitFor(); // native layer, reactor and janitor up: what follows is quick
        }
        ProcessScope scope = ProcessScope.builder().name("crash at once").open();
        long t0 = System.nanoTime();
        ManagedProcess p = wiped ? scope.start("env", "-i", "/bin/sleep", "300") : scope.start("sleep", "300");
        long elapsed = (System.nanoTime() - t0) / 1000;
        System.out.println("scope " + scope.id() + "\ngroup " + p.pid() + "\nstart " + p.identity().startTime()
                + "\njanitor " + Janitor.pid().orElseThrow() + "\nelapsed " + elapsed + "\nready");
        System.out.flush();
        Os.current().control().signalPid(ProcessHandle.current().pid(), Signal.KILL);
        Thread.sleep(Duration.ofMinutes(10).toMillis());
    }

    /**
     * Adopts a process that carries no scope cookie (a plain {@link ProcessBuilder} child, exec'd, so it
     * stays in this JVM's group and is registered as a single process) and SIGKILLs this JVM at once:
     * only a registration written during {@code adopt()} can save the day. Reports {@code solo <pid>},
     * {@code start <ticks>}, {@code janitor <pid>} and {@code elapsed <µs>} (from the adopt() call to just
     * before the kill).
     */
    private static void adoptAndCrashAtOnce() throws Exception {
        try (ProcessScope warmUp = ProcessScope.open()) {
            warmUp.start("true").waitFor(); // native layer, reactor and janitor up: what follows is quick
        }
        ProcessScope scope = ProcessScope.builder().name("adopt and crash").open();
        Process jdk = new ProcessBuilder("sleep", "300").start();
        if (!Proc.eventually(SETTLE, () -> Proc.comm(jdk.pid()).equals("sleep"))) {
            throw new IllegalStateException("pid " + jdk.pid() + " did not exec sleep");
        }
        long t0 = System.nanoTime();
        ManagedProcess p = scope.adopt(jdk);
        System.out.println("solo " + p.pid() + "\nstart " + p.identity().startTime() + "\njanitor "
                + Janitor.pid().orElseThrow() + "\nready");
        System.out.flush();
        System.out.println("elapsed " + (System.nanoTime() - t0) / 1000);
        System.out.flush();
        Os.current().control().signalPid(ProcessHandle.current().pid(), Signal.KILL);
        Thread.sleep(Duration.ofMinutes(10).toMillis());
    }

    /**
     * A fresh JVM whose first managed process (so its janitor, too) starts inside a test watched by the
     * leak detector in fail mode: a launcher session as a build opens it, with the listener and the
     * extension found through {@code META-INF/services}. Reports {@code janitor-before none},
     * {@code janitor <pid>} (from inside the test), {@code tests <succeeded> <failed>}, and
     * {@code session ok} or {@code session failed: <message>}. The report goes where
     * {@code -Dmanagedprocesses.leaks.report.dir} says (a system property, as a build may set it).
     */
    private static void leakCheck() {
        System.out.println("janitor-before " + (Janitor.pid().isPresent() ? Janitor.pid().getAsLong() : "none"));
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(FirstManagedProcessTestCase.class))
                .configurationParameter(LeakSettings.MODE_KEY, "fail")
                .configurationParameter(LeakSettings.SETTLE_KEY, "300 ms")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        String session = "session ok";
        try (LauncherSession s = LauncherFactory.openSession()) {
            s.getLauncher().execute(request, summary);
        } catch (AssertionError e) {
            session = "session failed: " + e.getMessage();
        }
        System.out.println("tests " + summary.getSummary().getTestsSucceededCount() + " "
                + summary.getSummary().getTestsFailedCount());
        summary.getSummary().getFailures().forEach(f -> System.out.println("failure: " + f.getException().getMessage()));
        System.out.println(session);
    }

    /**
     * Looks at the containment mechanism as the leak detector's report header does (which creates this JVM's
     * cgroup directory where cgroups are usable), starts nothing, and returns from {@code main} at the first
     * line on stdin: a normal exit.
     */
    private static void describe() throws IOException {
        System.out.println("mechanism " + ContainmentMode.describe(Os.current()));
        System.out.println("ready");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
    }

    /** Run by {@code leak-check}: the first managed process of the JVM, started and ended inside one test. */
    public static final class FirstManagedProcessTestCase {
        @Test
        void starts_the_first_managed_process() throws Exception {
            try (ProcessScope scope = ProcessScope.open()) {
                scope.start("true").waitFor();
            }
            System.out.println("janitor " + Janitor.pid().orElseThrow());
        }
    }

    /** A closed scope, and an open one (with an escapee) left for the exit hook; then returns from main. */
    private static void exit() throws Exception {
        try (ProcessScope closed = ProcessScope.open()) {
            closed.start("true").waitFor();
        }
        ProcessScope open = ProcessScope.builder().name("left open").open();
        report(open.start("sleep", "300"));
        report(open.start("sh", "-c", "setsid sleep 300 & exit 0"));
        settle(open, 2);
    }

    /**
     * Three groups; reports every change of janitor. Commands on stdin: {@code close-pipe} closes this
     * JVM's end of the janitor's pipe, as a stray {@code close(fd)} elsewhere in a JVM would;
     * {@code start} starts one more group.
     */
    private static void watch() throws Exception {
        ProcessScope scope = ProcessScope.builder().name("watch").open();
        for (int i = 0; i < 3; i++) {
            report(scope.start("sleep", "300"));
        }
        // Changes are reported against the janitor settle() reported: the test may kill it, and a new one may
        // take over, before this thread looks again (found under load: the new one was never reported).
        OptionalLong shown = settle(scope, 3);
        Thread commands = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("close-pipe")) {
                        closeJanitorPipe();
                    } else if (line.equals("start")) {
                        report(scope.start("sleep", "300"));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "commands");
        commands.setDaemon(true);
        commands.start();
        while (true) {
            OptionalLong now = Janitor.pid();
            if (now.isPresent() && !now.equals(shown)) {
                System.out.println("janitor " + now.getAsLong());
                shown = now;
            }
            Thread.sleep(5);
        }
    }

    private static void closeJanitorPipe() {
        long janitor = Janitor.pid().orElseThrow();
        try {
            String pipe = Files.readSymbolicLink(Path.of("/proc/" + janitor + "/fd/0")).toString();
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(pipe)) {
                            Os.current().descriptors().close(Integer.parseInt(fd.getFileName().toString()));
                            System.out.println("closed " + fd.getFileName());
                        }
                    } catch (IOException e) {
                        // the listing's own descriptor, closed already
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void report(ManagedProcess p) {
        System.out.println("group " + p.pid());
    }

    /**
     * Waits until {@code expected} live processes carry the scope's cookie, reports them and the janitor,
     * and says ready; answers the janitor it reported.
     */
    private static OptionalLong settle(ProcessScope scope, int expected) {
        String marker = ProcessScope.SCOPE_VARIABLE + "=" + scope.id();
        if (!Proc.eventually(SETTLE, () -> Proc.withEnvironment(marker).size() == expected)) {
            throw new IllegalStateException("expected " + expected + " processes with " + marker + " but found "
                    + Proc.withEnvironment(marker));
        }
        List<Long> marked = Proc.withEnvironment(marker);
        System.out.println("scope " + scope.id());
        marked.forEach(pid -> System.out.println("marked " + pid));
        OptionalLong janitor = Janitor.pid();
        System.out.println("janitor " + (janitor.isPresent() ? janitor.getAsLong() : "none"));
        System.out.println("ready");
        return janitor;
    }

    private static void waitToBeKilled() throws InterruptedException {
        Thread.sleep(Duration.ofMinutes(10).toMillis()); // the test kills this JVM long before
        throw new IllegalStateException("nobody killed this JVM");
    }
}
