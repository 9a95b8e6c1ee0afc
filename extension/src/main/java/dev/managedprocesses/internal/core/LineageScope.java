package dev.managedprocesses.internal.core;

import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.internal.os.ProcessTable;
import dev.managedprocesses.internal.os.ProcessTree;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Containment where cgroups cannot be created: every process a scope starts leads a process group of its
 * own, and three layers find what left its group (see {@link #strays}):
 * <ul>
 *   <li>the scope's cookie ({@code MANAGED_PROCESSES_SCOPE=<id>}) in the environment, inherited until a
 *       process clears or overwrites its environment ({@code env -i}, a process title set the way Perl's
 *       {@code $0 =}, nginx or setproctitle do);</li>
 *   <li>the scope's marker, set on each child right after the spawn and inherited through fork, exec,
 *       {@code setsid}, {@code env -i} and process titles alike (the soft {@code RLIMIT_RTTIME}, a value no
 *       real-time budget comes near; only real-time-scheduled processes are limited by it at all);</li>
 *   <li>lineage: the descendants, by parent chain, of the scope's group members, for what both missed.</li>
 * </ul>
 * Limits, stated in README: a descendant forked in the moment between the spawn and the marker, that also
 * clears its environment and is orphaned before teardown looks, escapes; so does one whose marker another
 * process overwrites. And a stranger that copied a scope's environment (cookie included) counts as the
 * scope's: only cgroups tell membership from a copied cookie.
 */
final class LineageScope extends ScopeContainment {
    /** The mechanism, in the words of the one line a run states. */
    static final String DESCRIPTION = "process groups, the scope's cookie and marker (RLIMIT_RTTIME), and lineage";

    private final Os os;
    private final String cookie;
    private final long marker;

    LineageScope(Os os, String cookie) {
        this.os = os;
        this.cookie = cookie;
        this.marker = os.control().newMarker();
    }

    @Override
    String mechanism() {
        return "process groups, marker and lineage";
    }

    @Override
    Container containerForSpawn() {
        return null;
    }

    @Override
    long marker() {
        return marker;
    }

    @Override
    boolean afterSpawn(long childPid, Container container) {
        claimBornInTheWindow(os, childPid, marker, cookie, s -> os.control().mark(s.pid(), marker));
        return false; // no container: the process table proves a group empty
    }

    @Override
    Container adopt(long pid, long startTime) {
        os.control().mark(pid, marker); // what it forks from now on carries the marker; a failure leaves lineage
        return null;
    }

    @Override
    List<ProcStat> strays(List<TrackedProcess> known, List<ProcStat> snapshot, long threshold) {
        Known k = Known.of(known); // groups: only those whose leader is unreaped, so their ids are ours
        Set<Long> lineage = new HashSet<>();
        for (ProcStat s : ProcessTree.descendants(snapshot, Set.of(), k.groups())) {
            lineage.add(s.pid());
        }
        ProcessTable table = os.table();
        long self = table.selfPid();
        List<ProcStat> out = new ArrayList<>();
        for (ProcStat s : snapshot) {
            if (!k.mayBeStray(s, threshold, self)) {
                continue;
            }
            if (lineage.contains(s.pid()) || carriesMarker(s.pid()) || table.environmentContains(s.pid(), cookie)) {
                out.add(s);
            }
        }
        return out;
    }

    private boolean carriesMarker(long pid) {
        return carries(os.table(), pid, marker);
    }

    @Override
    Terminator.Target target() {
        return null;
    }

    @Override
    boolean owns(ProcStat process) {
        return carriesMarker(process.pid()) || os.table().environmentContains(process.pid(), cookie);
    }

    @Override
    void close() {
        // nothing held
    }
}
