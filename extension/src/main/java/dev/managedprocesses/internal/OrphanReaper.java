package dev.managedprocesses.internal;

import dev.managedprocesses.internal.os.OsProcesses;
import dev.managedprocesses.internal.os.ProcStat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reaps zombies that became this JVM's children only because the library made it a subreaper.
 *
 * <p>With the subreaper on, every orphan in the JVM's process tree re-parents to the JVM, including
 * orphans of processes the JDK started, and the JDK never reaps pids it did not start. A zombie
 * child may be reaped here only when it is provably nobody else's: not one of our own unreaped
 * children (a group leader may be held as a zombie on purpose), and not a JDK child: the JDK waits
 * on each of its children in a dedicated thread and reaps it within microseconds of its exit, so a
 * zombie that has stayed unreaped for two seconds is an orphan. (Generous on purpose: on a machine
 * loaded twelve times over its cores a JDK reaper thread may be late, and reaping a JDK child would
 * steal its exit status.)
 */
public final class OrphanReaper {
    private static final long STALE_NANOS = 2_000_000_000L;
    private static final Map<String, Long> FIRST_SEEN = new HashMap<>(); // pid:start -> nanoTime

    private OrphanReaper() {
    }

    /**
     * Notes the JVM's zombie children in {@code snapshot} and reaps those seen at least two seconds
     * ago. With {@code waitForNew}, waits (once) until the newest of them is stale too.
     */
    public static synchronized void reapStale(OsProcesses os, List<ProcStat> snapshot, boolean waitForNew) {
        if (!Subreaper.isActive()) {
            return;
        }
        long self = os.selfPid();
        long now = System.nanoTime();
        Set<String> current = new HashSet<>();
        for (ProcStat s : snapshot) {
            if (s.ppid() == self && s.isZombie() && !ScopeRegistry.isUnreapedChild(s.pid())) {
                String key = s.pid() + ":" + s.startTime();
                current.add(key);
                FIRST_SEEN.putIfAbsent(key, now);
            }
        }
        FIRST_SEEN.keySet().retainAll(current);
        if (waitForNew && !FIRST_SEEN.isEmpty()) {
            long newest = FIRST_SEEN.values().stream().max(Long::compare).orElse(now);
            long left = STALE_NANOS - (now - newest);
            if (left > 0) {
                try {
                    Thread.sleep(left / 1_000_000 + 1); // give the JDK's reapers their chance, once
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            now = System.nanoTime();
        }
        for (Map.Entry<String, Long> e : Map.copyOf(FIRST_SEEN).entrySet()) {
            if (now - e.getValue() < STALE_NANOS) {
                continue;
            }
            long pid = Long.parseLong(e.getKey().substring(0, e.getKey().indexOf(':')));
            long start = Long.parseLong(e.getKey().substring(e.getKey().indexOf(':') + 1));
            // still the same zombie (a zombie keeps its pid, so pid + start time identify it)
            if (os.stat(pid).filter(s -> s.isZombie() && s.ppid() == self && s.startTime() == start).isPresent()) {
                os.reap(pid);
            }
            FIRST_SEEN.remove(e.getKey());
        }
    }
}
