package dev.managedprocesses.internal.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A wait for futures that must not hang a teardown: at most {@code timeout}, whatever the futures do. An
 * interrupt ends it and stays set for the caller. ({@link Terminator} waits its own way: it notes an
 * interrupt and restores it only at its end, so that its later waits still run.)
 */
final class BoundedWait {
    private BoundedWait() {
    }

    /** Waits until every future is done or {@code timeout} has passed; true when all are done. */
    static boolean all(List<? extends CompletableFuture<?>> futures, Duration timeout) {
        try {
            return allOrReady(futures, null, timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits until every future is done (normally or not), or {@code orReady} (null: none) is, or
     * {@code timeoutNanos} have passed; true unless the time passed first.
     *
     * <p>What a teardown waits for is mostly done by the time it asks (the reaps ran while it looked): then
     * nothing is made and nothing waits. Otherwise one counter counts the rest down, rather than
     * {@link CompletableFuture#allOf}'s tree of relays (two futures per future waited for, each completion
     * walking up the tree); a hundred groups' reaps complete one after the other on the reactor thread while the
     * closing thread waits, so each completion costs the reactor less.
     */
    static boolean allOrReady(List<? extends CompletableFuture<?>> futures, CompletableFuture<?> orReady,
            long timeoutNanos) throws InterruptedException {
        if (orReady != null && orReady.isDone()) {
            return true;
        }
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (CompletableFuture<?> f : futures) {
            if (!f.isDone()) {
                pending.add(f);
            }
        }
        if (pending.isEmpty()) {
            return true;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(pending.size());
        for (CompletableFuture<?> f : pending) { // each counted once, each counts down once (at once if done by now)
            f.whenComplete((r, e) -> {
                if (left.decrementAndGet() == 0) {
                    done.complete(null);
                }
            });
        }
        if (orReady != null) {
            orReady.whenComplete((r, e) -> done.complete(null));
        }
        try {
            done.get(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException e) {
            return true; // never: done completes normally
        } catch (TimeoutException e) {
            return false;
        }
    }
}
