package dev.managedprocesses.internal.core;

import dev.managedprocesses.internal.reactor.Reactor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * One proof of emptiness for all the groups of a scope's teardown, where the scope's cgroup holds everything
 * they forked: a group whose leader exits waits for the kernel's word that the scope's cgroup is empty, instead
 * of asking about its own cgroup (an open, a read and a close of its {@code cgroup.events}, on the reactor
 * thread, between the exits of the others).
 *
 * <p>The word is asked for once, when the last of these leaders has exited, not awaited as a notice: the kernel
 * sends at most one {@code cgroup.events} notice per cgroup every 10 ms, so a scope that empties soon after its
 * first process started would hear of it up to 10 ms late. If the scope's cgroup is not empty then (a member
 * still exiting after its leader, an escapee in a session of its own), every group proves its own end, as
 * outside a teardown; so do they when the teardown is over and the word never came (something outlived
 * SIGKILL). Whoever else proves the scope's cgroup empty meanwhile (the teardown's look for escapees) completes
 * {@code emptied}, and the exited groups are gone at once (their leaders reaped, where not already at their exits).
 *
 * <p>State is the reactor thread's, as the groups' own, once {@link #start} has built it and handed it to the
 * groups on the closing thread (before the first signal): an exit the reactor handles from then on counts, and
 * one it handled before (the group's leader had exited before the teardown, or was exiting meanwhile) is
 * counted by a task {@code start} queues. No wait for the reactor: waking it costs the teardown 0.1-0.2 ms.
 *
 * <p>While the word may still come, a leader is reaped at its exit ({@link #reapsAtExit}), not held as a zombie
 * for it: the reaps (the kernel's release of each zombie) then run between the others' exits rather than all at
 * once after the last, and one {@code waitid} both reads the status and reaps. Nothing is signalled by the id of
 * a group whose leader is reaped (its {@code ChildGate} refuses), so nothing can reach a stranger that gets the id;
 * its cgroup ends it ({@code cgroup.kill}) and, should the word not come, says when it is empty.
 */
final class ScopeProof {
    /** How long the exited groups may take to prove their own ends once the scope's proof is abandoned. */
    private static final Duration OWN_PROOF_WAIT = Duration.ofSeconds(1);

    private final Reactor reactor;
    private final CompletableFuture<Void> emptied;
    private final BooleanSupplier emptyNow;
    private final List<SpawnedGroup> joined = new ArrayList<>();      // all the groups waiting for it; never changes
    private final Set<SpawnedGroup> running = new LinkedHashSet<>(); // joined, leader not yet exited
    private final List<SpawnedGroup> exited = new ArrayList<>();     // leader exited, waiting for the proof
    private boolean abandoned;

    private ScopeProof(Reactor reactor, CompletableFuture<Void> emptied, BooleanSupplier emptyNow) {
        this.reactor = reactor;
        this.emptied = emptied;
        this.emptyNow = emptyNow;
    }

    /**
     * The proof for the groups among {@code targets} that their cgroups hold. {@code emptied} completes when the
     * scope's cgroup is known to be empty (on any thread); {@code emptyNow} asks the kernel, and completes it
     * when the answer is yes.
     */
    static ScopeProof start(Reactor reactor, List<? extends TrackedProcess> targets, CompletableFuture<Void> emptied,
            BooleanSupplier emptyNow) {
        ScopeProof p = new ScopeProof(reactor, emptied, emptyNow);
        for (TrackedProcess t : targets) {
            if (t instanceof SpawnedGroup g && g.mayJoin()) {
                p.joined.add(g);
            }
        }
        p.running.addAll(p.joined); // all of the state, before any group can hand it to the reactor
        emptied.thenRun(() -> p.onReactor(p::proven)); // first: the reactor may prove it while it catches up
        for (SpawnedGroup g : p.joined) {
            g.join(p);
        }
        p.onReactor(p::catchUp);
        return p;
    }

    /**
     * Reactor thread, once: counts the exits it handled before their groups joined (an exit it handles later is
     * counted as it comes; counting one twice is harmless), and the groups that were gone by then.
     */
    private void catchUp() {
        for (SpawnedGroup g : joined) {
            if (g.gone.isDone()) {
                running.remove(g); // reaped the old way meanwhile: nothing to prove
            } else if (g.ended.isDone()) {
                exited(g); // it had exited before the teardown, its group living on, or as it began
            }
        }
        if (running.isEmpty() && !abandoned && !emptied.isDone() && !emptyNow.getAsBoolean()) {
            abandon(); // something else still lives in the scope's cgroup
        }
    }

    /** Reactor thread: the leader of {@code g} has exited. */
    void exited(SpawnedGroup g) {
        if (!running.remove(g)) {
            return; // counted already
        }
        if (abandoned) {
            g.proveOwnEnd();
            return;
        }
        if (emptied.isDone()) {
            g.reapLeader();
            return;
        }
        exited.add(g);
        if (running.isEmpty() && !emptyNow.getAsBoolean()) {
            abandon(); // something else still lives in the scope's cgroup
        }
    }

    /** Reactor thread: whether a leader that exits now is reaped at once (the word may still come). */
    boolean reapsAtExit() {
        return !abandoned;
    }

    /** Reactor thread: the scope's cgroup is empty, so is every group's: each exited one is gone (reapLeader). */
    private void proven() {
        for (SpawnedGroup g : exited) {
            g.reapLeader();
        }
        exited.clear();
    }

    /** Reactor thread: every group proves its own end from now on. */
    private void abandon() {
        if (abandoned) {
            return;
        }
        abandoned = true;
        for (SpawnedGroup g : exited) {
            g.proveOwnEnd();
        }
        exited.clear();
        for (SpawnedGroup g : running) {
            g.proveOwnEnd(); // not exited: only forgets the proof
        }
        running.clear();
    }

    /**
     * After the teardown, if the scope's cgroup never said it was empty (something in it outlived SIGKILL, and is
     * named as a survivor): every group proves its own end, and this waits (a bounded time) for those that
     * exited, so that their records say they ended and no reaped leader is left a zombie until the survivor dies.
     */
    void abandonAndAwait(List<? extends TrackedProcess> targets) {
        onReactorAndWait(this::abandon);
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        for (TrackedProcess t : targets) {
            if (t.ended.isDone() && !t.isGone()) {
                ends.add(t.gone()); // exited, and waits for a proof only; a survivor's never comes
            }
        }
        BoundedWait.all(ends, OWN_PROOF_WAIT); // the survivors among them are named by the teardown's verifying look
    }

    /** How long the closing thread waits for the reactor to abandon the proof (it is idle then: microseconds). */
    private static final Duration REACTOR_WAIT = Duration.ofSeconds(5);

    /**
     * Runs {@code task} on the reactor thread and waits for it, a bounded time: a wedged reactor must not hang
     * the teardown (the proof is only a shortcut; without it, each group proves its own end).
     */
    private void onReactorAndWait(Runnable task) {
        if (reactor.inReactorThread()) {
            task.run();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        reactor.execute(() -> {
            try {
                task.run();
            } finally {
                done.complete(null);
            }
        });
        // past the wait, the reactor runs it later
        BoundedWait.all(List.of(done), REACTOR_WAIT);
    }

    private void onReactor(Runnable task) {
        if (reactor.inReactorThread()) {
            task.run();
        } else {
            reactor.execute(task);
        }
    }
}
