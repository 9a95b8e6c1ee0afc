package dev.managedprocesses.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessPlatform;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.junit.ManagedProcesses;
import dev.managedprocesses.leaks.LeakSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The {@code main} of a child JVM that shows which platform a fresh JVM ends up on and what it loaded. It
 * runs {@link ManagedTestCase} through a JUnit launcher with the leak detector in fail mode and
 * {@code managedprocesses.platform=<args[0]>} as a configuration parameter (not a system property), then
 * reports, one fact per line: {@code platform <id>}, {@code tests <succeeded> <failed>},
 * {@code jffi-mapped <true|false>} (whether jffi's native library is in {@code /proc/self/maps}).
 */
public final class PlatformProbe {
    private PlatformProbe() {
    }

    public static void main(String[] args) throws Exception {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        try (LauncherSession session = LauncherFactory.openSession()) {
            session.getLauncher().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass(ManagedTestCase.class))
                    .configurationParameter(ProcessPlatform.PROPERTY, args[0])
                    .configurationParameter(LeakSettings.MODE_KEY, "fail")
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                    .build(), summary);
        }
        System.out.println("platform " + ProcessPlatform.current().id());
        System.out.println("tests " + summary.getSummary().getTestsSucceededCount() + " "
                + summary.getSummary().getTestsFailedCount());
        summary.getSummary().getFailures().forEach(f -> System.out.println("failure " + f.getException()));
        System.out.println("jffi-mapped " + Files.readString(Path.of("/proc/self/maps")).contains("jffi"));
    }

    /** What a user's test does: start, read output, wait, and leave the rest to teardown. */
    @ManagedProcesses
    public static final class ManagedTestCase {
        @Test
        void starts_reads_and_tears_down(ProcessScope processes) throws Exception {
            ManagedProcess echo = processes.start("sh", "-c", "echo hello");
            assertEquals(0, echo.waitFor().code());
            assertEquals("hello", echo.stdout().text().strip());
            processes.start("sleep", "300");
            processes.adopt(new ProcessBuilder("sleep", "300").start());
            ProcessScope inner = ProcessScope.open();
            inner.start("sleep", "300").terminate(Duration.ofSeconds(1));
            inner.close();
        }
    }
}
