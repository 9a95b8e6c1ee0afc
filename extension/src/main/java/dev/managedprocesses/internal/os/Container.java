package dev.managedprocesses.internal.os;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * One container of {@link Containment}: processes placed in it, and everything they fork, stay in it;
 * the kernel lists them, says whether any is left, freezes them and kills them all at once.
 */
public interface Container {

    /** Where the container is, for the janitor and messages (a cgroup's directory). */
    String location();

    /** A container inside this one (killing or freezing this one reaches it too). */
    Container child(String name) throws ContainerException;

    /**
     * Places the JVM's own child, just spawned and not yet reaped, in this container. No identity check is
     * needed: an unreaped child's pid cannot have been recycled. False when it is gone already.
     */
    boolean addChild(long pid) throws ContainerException;

    /**
     * Places process {@code pid} (start time {@code startTime}) and its current descendants in this
     * container, for adoption; none for which {@code refusal} names a reason (everything inside will be
     * killed). Returns the pids placed (or found inside already), the root first.
     *
     * @throws IllegalArgumentException when {@code refusal} names a reason for {@code pid} itself
     */
    List<Long> adopt(long pid, long startTime, LongFunction<String> refusal) throws ContainerException;

    /** The live processes in this container and below. */
    Set<Long> members() throws ContainerException;

    /** Whether {@code pid} is in this container (or below); false when it is gone. */
    boolean contains(long pid);

    /**
     * Whether the kernel lists {@code pid} among the live members of this container (or one below). Stricter
     * than {@link #contains}: a process that is exiting has left the list, and a zombie is not on it, while
     * both still name their container.
     */
    boolean listsLive(long pid);

    /** Whether a live process is in this container or below (zombies do not count). */
    boolean populated() throws ContainerException;

    /** SIGKILL to every process in this container and below, at once; returns without waiting. */
    void killAll() throws ContainerException;

    /** Waits, woken by the kernel, until no live process is left; false when {@code timeout} passed first. */
    boolean awaitEmpty(Duration timeout) throws ContainerException, InterruptedException;

    /** Freezes every process in this container and below; false when not all froze within {@code timeout}. */
    boolean freeze(Duration timeout) throws ContainerException, InterruptedException;

    /** Undoes {@link #freeze}; false when not all thawed within {@code timeout}. */
    boolean thaw(Duration timeout) throws ContainerException, InterruptedException;

    /**
     * A descriptor (close-on-exec) that becomes ready for {@code Poller.addPriority} when this container's
     * state changes; {@link #populated(int)} re-reads the state through it. The caller closes it.
     */
    int openEvents() throws ContainerException;

    /** The populated state, read through {@code eventsFd} (which re-arms its readiness). */
    boolean populated(int eventsFd) throws ContainerException;

    /** Removes the (empty) container; already removed counts as removed. */
    void remove() throws ContainerException;
}
