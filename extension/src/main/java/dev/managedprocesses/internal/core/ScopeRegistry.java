package dev.managedprocesses.internal.core;

import dev.managedprocesses.internal.os.ProcessTable;
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
        /** The scope's marker entry, {@code MANAGED_PROCESSES_SCOPE=<id>}. */
        String marker();

        /** True for a process in one of its groups or tracked by it (cheap: no /proc reads). */
        boolean ownsDirectly(ProcStat process);
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

    /** True when a live scope owns {@code process}: directly, or by its inherited marker. */
    public static boolean owned(ProcessTable table, ProcStat process) {
        if (LIVE.isEmpty()) {
            return false;
        }
        for (Owner o : LIVE) {
            if (o.ownsDirectly(process)) {
                return true;
            }
        }
        for (Owner o : LIVE) {
            if (table.environmentContains(process.pid(), o.marker())) {
                return true;
            }
        }
        return false;
    }
}
