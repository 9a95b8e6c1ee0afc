package dev.managedprocesses.internal.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // done, exceptionally: nothing more to wait for
        } catch (TimeoutException e) {
            return false;
        }
    }
}
