package dev.managedprocesses.samples;

import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints the extension's report entries (one per process: how it ended and how long teardown took)
 * so that running the samples shows what the extension did. Registered in
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
}
