package dev.managedprocesses.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints the extension's report entries (one per process: how it ended and how long teardown took)
 * and, at the end, the leak detector's report, so that running the samples shows what the library
 * did. Registered in
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}; not needed in your
 * own project (the entries also land in JUnit's reports).
 */
public class ShowTeardownRecords implements TestExecutionListener {
    @Override
    public void reportingEntryPublished(TestIdentifier testIdentifier, ReportEntry entry) {
        entry.getKeyValuePairs().forEach((key, value) -> {
            if (key.startsWith("managed-process")) {
                System.out.println("[managed-processes] " + testIdentifier.getDisplayName() + ": " + value);
            }
        });
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            for (Path report : files.filter(p -> p.getFileName().toString()
                    .matches("leaks-" + ProcessHandle.current().pid() + "-[0-9a-f]{6}\\.txt"))
                    .toList()) {
                String text = Files.readString(report);
                if (!text.contains("\n0 leaked processes")) {
                    System.out.println("[managed-processes] leak report " + report + ":\n" + text);
                }
            }
        } catch (IOException e) {
            System.out.println("[managed-processes] no leak report: " + e);
        }
    }
}
