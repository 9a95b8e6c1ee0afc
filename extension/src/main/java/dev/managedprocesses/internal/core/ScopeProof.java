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
 * {@code emptied}, and the exited groups are reaped at once.
 *
 * <p>State is the reactor thread's, as the groups' own: created and joined from the closing thread through
 * {@link #start}, which waits until the reactor has taken the groups in (before the first signal, so that no
 * exit is handled the old way).
 */
final class ScopeProof {
    /** How long the exited groups may take to prove their own ends once the scope's proof is abandoned. */
    private static final Duration OWN_PROOF_WAIT = Duration.ofSeconds(1);

    private final Reactor reactor;
    private final CompletableFuture<Void> emptied;
    private final BooleanSupplier emptyNow;
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
        List<SpawnedGroup> groups = new ArrayList<>();
        for (TrackedProcess t : targets) {
            if (t instanceof SpawnedGroup g) {
                groups.add(g);
            }
        }
        emptied.thenRun(() -> p.onReactor(p::proven)); // first: the reactor may prove it while it joins them
        p.onReactorAndWait(() -> p.join(groups));
        return p;
    }

    private void join(List<SpawnedGroup> groups) {
        for (SpawnedGroup g : groups) {
            if (g.join(this)) {
                running.add(g);
            }
        }
        for (SpawnedGroup g : new ArrayList<>(running)) {
            if (g.ended.isDone()) {
                exited(g); // it had exited before the teardown, its group living on
            }
        }
    }

    /** Reactor thread: the leader of {@code g} has exited. */
    void exited(SpawnedGroup g) {
        running.remove(g);
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

    /** Reactor thread: the scope's cgroup is empty, so is every group's. */
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

    /** How long the closing thread waits for the reactor to take the groups in (it is idle then: microseconds). */
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
        // past the wait, the reactor takes them in later: exits it handled before that were proven the usual way
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
