package dev.managedprocesses.junit;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import dev.managedprocesses.testing.Proc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

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
        // one list for the check and the answer: a process in the middle of an exec can be missed by a second read
        java.util.concurrent.atomic.AtomicReference<List<Long>> seen = new java.util.concurrent.atomic.AtomicReference<>();
        if (!Proc.eventually(TIMEOUT, () -> {
            seen.set(Proc.withEnvironment(marker));
            return seen.get().size() >= expected;
        })) {
            throw new AssertionError("expected " + expected + " processes marked " + marker + " but found "
                    + seen.get());
        }
        PIDS.addAll(seen.get());
        return seen.get();
    }
}
