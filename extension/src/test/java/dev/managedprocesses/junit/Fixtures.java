package dev.managedprocesses.junit;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.testing.Proc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/** What fixture tests saw, for the outer test to check against /proc after the engine ran them. */
final class Fixtures {
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final ConcurrentLinkedQueue<Long> PIDS = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<String> SCOPE_IDS = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<String> NOTES = new ConcurrentLinkedQueue<>();

    private Fixtures() {
    }

    static void reset() {
        PIDS.clear();
        SCOPE_IDS.clear();
        NOTES.clear();
    }

    /** Remembers a process, its scope and (after they appear) its descendants. */
    static ManagedProcess track(ProcessScope scope, ManagedProcess p) {
        SCOPE_IDS.add(scope.id());
        PIDS.add(p.pid());
        return p;
    }

    /** Remembers every live process carrying the scope's marker (escaped ones included). */
    static List<Long> trackMarked(ProcessScope scope, int expected) {
        SCOPE_IDS.add(scope.id());
        String marker = ProcessScope.SCOPE_VARIABLE + "=" + scope.id();
        // Keep the list that satisfied the condition: a second look can miss a process in the middle of an
        // exec (its environment is briefly unreadable).
        AtomicReference<List<Long>> found = new AtomicReference<>(List.of());
        if (!Proc.eventually(TIMEOUT, () -> found.updateAndGet(old -> Proc.withEnvironment(marker)).size() >= expected)) {
            throw new AssertionError("expected " + expected + " processes marked " + marker + " but found " + found.get());
        }
        List<Long> pids = found.get();
        PIDS.addAll(pids);
        return pids;
    }
}
