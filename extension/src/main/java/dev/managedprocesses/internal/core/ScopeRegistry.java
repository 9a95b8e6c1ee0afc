package dev.managedprocesses.internal.core;

import dev.managedprocesses.internal.os.ProcStat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scopes that are open right now, so the leak detector can tell "a process a live scope owns
 * (and will end)" from "a process nobody will end".
 */
public final class ScopeRegistry {

    /** What a live scope owns. */
    public interface Owner {
        /** True for a process in one of its groups or tracked by it (cheap: no /proc reads). */
        boolean ownsDirectly(ProcStat process);

        /** True for a process its mechanism holds: its cgroup, or its marker and cookie (reads /proc). */
        boolean owns(ProcStat process);
    }

    private static final Set<Owner> LIVE = ConcurrentHashMap.newKeySet();

    private ScopeRegistry() {
    }

    public static void opened(Owner owner) {
        LIVE.add(owner);
    }

    public static void closed(Owner owner) {
        LIVE.remove(owner);
    }

    /** True when a live scope owns {@code process}: directly, or by its mechanism (cgroup, marker, cookie). */
    public static boolean owned(ProcStat process) {
        if (LIVE.isEmpty()) {
            return false;
        }
        for (Owner o : LIVE) {
            if (o.ownsDirectly(process)) {
                return true;
            }
        }
        for (Owner o : LIVE) {
            if (o.owns(process)) {
                return true;
            }
        }
        return false;
    }
}
