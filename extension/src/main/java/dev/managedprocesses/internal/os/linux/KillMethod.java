package dev.managedprocesses.internal.os.linux;

/** How a cgroup's processes were ended, for the one line that states the mechanism in use. */
public enum KillMethod {
    /** {@code cgroup.kill} (kernel 5.14+): the kernel SIGKILLs the whole subtree, forks in flight included. */
    CGROUP_KILL("cgroup.kill"),
    /**
     * No {@code cgroup.kill} (kernel before 5.14): {@code cgroup.freeze}, SIGKILL to each member through a
     * pidfd after checking it is still a member, then thaw.
     */
    FREEZE_AND_SIGKILL("cgroup.freeze, then SIGKILL to each member, then thaw (this kernel has no cgroup.kill, added in 5.14)");

    private final String description;

    KillMethod(String description) {
        this.description = description;
    }

    /** What was done, in words for a log line or a teardown record. */
    public String description() {
        return description;
    }
}
