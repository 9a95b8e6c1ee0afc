package dev.managedprocesses.leaks;

import java.util.ArrayList;
import java.util.List;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Fails the run, when the launcher session closes, for leaks in fail mode that nothing else could fail:
 * no test went red for them (the Jupiter extension was not registered, or the test ran on another engine)
 * and {@link LeakCheckEngine} did not report them (it runs in class-path order, so engines after it are
 * not covered). Also fails it for an invalid {@value LeakSettings#MODE_KEY}. Registered through
 * {@code META-INF/services}; a class of its own so that a launcher older than 1.8, which lacks
 * {@link LauncherSessionListener}, never has to load it.
 */
public class LeakSessionListener implements LauncherSessionListener {
    private int sessionMark;

    /** Created by the launcher through {@code META-INF/services}. */
    public LeakSessionListener() {
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        sessionMark = LeakDetection.sessionOpened();
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        List<String> problems = new ArrayList<>(LeakDetection.takeConfigurationErrors());
        int before = problems.size();
        for (LeakDetector d : LeakDetection.sessionClosed(sessionMark)) {
            LeakDetection.runFailure(d).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            // JUnit does not catch what a session listener throws: the run (and Surefire's fork) fails.
            throw new LeakDetectionListener.LeaksDetectedError(String.join("\n\n", problems)
                    + (problems.size() > before ? LeakDetection.leakCheckHint() : ""));
        }
    }
}
