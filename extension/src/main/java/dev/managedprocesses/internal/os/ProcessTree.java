package dev.managedprocesses.internal.os;

import dev.managedprocesses.ProcessInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Walks a process-table snapshot: descendants by parent chain and group membership. */
public final class ProcessTree {
    private ProcessTree() {
    }

    /**
     * Live processes that descend from {@code roots} (by ppid chain) or belong to one of
     * {@code groups}, roots excluded.
     */
    public static List<ProcStat> descendants(List<ProcStat> snapshot, Set<Long> roots, Set<Long> groups) {
        Map<Long, List<ProcStat>> children = new HashMap<>();
        List<ProcStat> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>(roots);
        ArrayList<Long> queue = new ArrayList<>(roots);
        for (ProcStat s : snapshot) {
            children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s);
            if (groups.contains(s.pgid()) && seen.add(s.pid())) {
                queue.add(s.pid());
                if (!s.isGone()) {
                    out.add(s);
                }
            }
        }
        for (int i = 0; i < queue.size(); i++) {
            for (ProcStat c : children.getOrDefault(queue.get(i), List.of())) {
                if (seen.add(c.pid())) {
                    queue.add(c.pid());
                    if (!c.isGone()) {
                        out.add(c);
                    }
                }
            }
        }
        return out;
    }

    /** An indented tree of {@code processes} (by ppid), one line per process. */
    public static String render(List<ProcessInfo> processes) {
        Map<Long, List<ProcessInfo>> byParent = new HashMap<>();
        Set<Long> pids = new HashSet<>();
        for (ProcessInfo p : processes) {
            pids.add(p.pid());
            byParent.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
        }
        StringBuilder sb = new StringBuilder();
        for (ProcessInfo p : processes) {
            if (!pids.contains(p.ppid())) {
                render(p, byParent, 1, sb);
            }
        }
        return sb.toString();
    }

    private static void render(ProcessInfo p, Map<Long, List<ProcessInfo>> byParent, int depth, StringBuilder sb) {
        sb.append('\n').append("  ".repeat(depth)).append("pid ").append(p.pid()).append(" ppid ").append(p.ppid())
                .append(" pgid ").append(p.pgid()).append(" [").append(p.state()).append("] uid ").append(p.uid())
                .append(": ").append(p.commandLine());
        for (ProcessInfo c : byParent.getOrDefault(p.pid(), List.of())) {
            render(c, byParent, depth + 1, sb);
        }
    }
}
