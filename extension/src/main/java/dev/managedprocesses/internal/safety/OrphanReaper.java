package dev.managedprocesses.internal.safety;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTree;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reaps zombies that became this JVM's children only because the library made it a subreaper.
 *
 * <p>With the subreaper on, every orphan in the JVM's process tree re-parents to the JVM, including
 * orphans of processes the JDK started, and the JDK never reaps pids it did not start. A zombie
 * child may be reaped here only when it is nobody else's: never one of our own unreaped children (a
 * group leader may be held as a zombie on purpose), and never a child the JDK started, whose exit
 * status its {@code Process} must still report. Two rules tell them apart:
 * <ul>
 *   <li><b>Proof:</b> a zombie child that some earlier snapshot showed alive <em>below</em> one of the
 *       JVM's children was re-parented to the JVM, so the JDK did not start it: it is reaped at once.
 *   <li><b>Patience, for the rest:</b> the JDK waits on each child it started in a "process reaper"
 *       thread and reaps it within microseconds of its exit. A zombie child that has stayed unreaped
 *       for two seconds while no such thread was runnable (a late reaper thread is runnable: it is
 *       only waiting for a CPU) is an orphan. Generous on purpose: on a machine loaded twelve times
 *       over its cores a JDK reaper thread may be late, and reaping a JDK child would steal its status.
 *   <li><b>A watched end</b> ({@link #reapEnded}): a process the caller saw alive as the JVM's child long
 *       after it started (so a JDK reaper thread, if it is the JDK's, was already waiting for it) and then
 *       saw end. Its exit woke that waiting thread, which stays runnable until it has reaped; so if it is
 *       still our zombie while no JDK reaper thread is runnable, nobody else waits for it: reaped at once.
 * </ul>
 */
public final class OrphanReaper {
    private static final long STALE_NANOS = 2_000_000_000L;
    private static final int REMEMBERED = 4096;
    private static final String JDK_REAPER_THREAD = "process reaper";
    private static final Map<String, Long> FIRST_SEEN = new HashMap<>(); // pid:start -> nanoTime
    /** Identities seen alive below a child of the JVM (pid:start), the most recent {@value #REMEMBERED}. */
    private static final Map<String, Boolean> BELOW_A_CHILD = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    private OrphanReaper() {
    }

    /**
     * Notes the JVM's descendants and zombie children in {@code snapshot}, reaps the zombies proven to
     * be re-parented orphans at once and the others once they have been seen for two seconds. With
     * {@code waitForNew}, waits (once) until the newest of them is stale too.
     */
    public static synchronized void reapStale(Os os, List<ProcStat> snapshot, boolean waitForNew) {
        if (!Subreaper.isActive()) {
            return;
        }
        long self = os.table().selfPid();
        rememberGrandchildren(snapshot, self);
        long now = System.nanoTime();
        Set<String> current = new HashSet<>();
        for (ProcStat s : snapshot) {
            if (s.ppid() == self && s.isZombie() && !ChildGate.isUnreapedChild(s.pid())) {
                String key = key(s.pid(), s.startTime());
                if (BELOW_A_CHILD.remove(key) != null) {
                    reapIfStill(os, self, s.pid(), s.startTime()); // re-parented: proven not the JDK's
                    continue;
                }
                current.add(key);
                FIRST_SEEN.putIfAbsent(key, now);
            }
        }
        FIRST_SEEN.keySet().retainAll(current);
        if (FIRST_SEEN.isEmpty()) {
            return;
        }
        if (waitForNew) {
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
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, Long> e : FIRST_SEEN.entrySet()) {
            if (now - e.getValue() >= STALE_NANOS) {
                stale.add(e.getKey());
            }
        }
        if (stale.isEmpty() || !jdkReapersIdle(os)) {
            return; // a JDK reaper thread is about to run: it may be one of these zombies' own; look again later
        }
        for (String key : stale) {
            int colon = key.indexOf(':');
            reapIfStill(os, self, Long.parseLong(key.substring(0, colon)), Long.parseLong(key.substring(colon + 1)));
            FIRST_SEEN.remove(key);
        }
    }

    /**
     * Reaps, at once, those of {@code ended} that are now zombie children of the JVM: processes (pid and
     * start time as found) that the caller saw alive, as descendants of the JVM, and then saw end (the leak
     * detector's kill). Proof: one found below a child of the JVM was re-parented; for one found as the
     * JVM's child, see "a watched end" above. The zombie is seen first, then the reaper threads: a zombie's
     * exit has woken any thread waiting for it by then. What cannot be reaped now is left to the sweep.
     *
     * @param os the OS layer
     * @param ended the processes as they were found alive (their start times identify them)
     */
    public static synchronized void reapEnded(Os os, List<ProcStat> ended) {
        if (!Subreaper.isActive()) {
            return;
        }
        long self = os.table().selfPid();
        List<ProcStat> zombies = new ArrayList<>();
        for (ProcStat found : ended) {
            if (os.table().stat(found.pid()).filter(s -> s.isZombie() && s.ppid() == self && s.startTime() == found.startTime()
                    && !ChildGate.isUnreapedChild(s.pid())).isPresent()) {
                zombies.add(found);
            }
        }
        if (zombies.isEmpty() || !jdkReapersIdle(os)) {
            return; // a JDK reaper thread is runnable: it may be about to reap one of them itself
        }
        for (ProcStat z : zombies) {
            reapIfStill(os, self, z.pid(), z.startTime());
            FIRST_SEEN.remove(key(z.pid(), z.startTime()));
        }
    }

    /**
     * True when no JDK reaper thread is runnable, looking a few times: a suite that starts processes all the
     * time often has one runnable for a few microseconds, and giving up at the first sight of it left
     * orphan zombies unreaped for many sweeps in a row.
     */
    private static boolean jdkReapersIdle(Os os) {
        for (int i = 0; i < 20; i++) {
            if (!jdkReaperRunnable(os)) {
                return true;
            }
            Thread.yield();
        }
        return false;
    }

    /** Whether a JDK "process reaper" thread of this JVM is runnable, i.e. about to reap a child of its own. */
    static boolean jdkReaperRunnable(Os os) {
        for (ProcStat t : os.inspector().ownThreads()) {
            if (t.comm().startsWith(JDK_REAPER_THREAD) && t.state() == 'R') {
                return true;
            }
        }
        return false;
    }

    /** Remembers every live process at least two levels below the JVM: if it becomes our zombie, it was re-parented. */
    private static void rememberGrandchildren(List<ProcStat> snapshot, long self) {
        Set<Long> children = new HashSet<>();
        for (ProcStat s : snapshot) {
            if (s.ppid() == self) {
                children.add(s.pid());
            }
        }
        for (ProcStat d : ProcessTree.descendants(snapshot, children, Set.of())) {
            BELOW_A_CHILD.put(key(d.pid(), d.startTime()), Boolean.TRUE);
        }
    }

    /**
     * Reaps {@code zombie}, a zombie child of the JVM the caller has proof of (it was a member of a scope's
     * cgroup, which no child the JDK started is), if it is still that zombie and no gate holds it.
     */
    public static synchronized void reapProven(Os os, ProcStat zombie) {
        if (!ChildGate.isUnreapedChild(zombie.pid())) {
            reapIfStill(os, os.table().selfPid(), zombie.pid(), zombie.startTime());
        }
    }

    /** Reaps pid if it is still that zombie child (a zombie keeps its pid, so pid + start time identify it). */
    private static void reapIfStill(Os os, long self, long pid, long start) {
        if (os.table().stat(pid).filter(s -> s.isZombie() && s.ppid() == self && s.startTime() == start).isPresent()) {
            os.control().reap(pid);
        }
    }

    private static String key(long pid, long start) {
        return pid + ":" + start;
    }
}
