package dev.managedprocesses.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The teardown's bounded wait for futures: what it returns, when it returns, and that it never hangs. */
class BoundedWaitTest {
    private static final long LONG = TimeUnit.SECONDS.toNanos(20);

    @Test
    void futures_done_already_need_no_wait_not_even_a_zero_one() throws Exception {
        List<CompletableFuture<Void>> done = List.of(CompletableFuture.completedFuture(null),
                CompletableFuture.failedFuture(new IllegalStateException("failed counts as done")));

        assertThat(BoundedWait.allOrReady(done, null, 0)).isTrue();
        assertThat(BoundedWait.allOrReady(List.of(), null, 0)).isTrue();
        assertThat(BoundedWait.all(done, Duration.ZERO)).isTrue();
    }

    @Test
    void it_returns_when_the_last_completes_on_another_thread_each_counted_once_even_when_listed_twice()
            throws Exception {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(new CompletableFuture<>());
        }
        futures.add(futures.get(0)); // listed twice: it must count down twice, once per listing
        futures.get(1).complete(null); // done before the wait: not waited for
        Thread completer = new Thread(() -> {
            for (CompletableFuture<Void> f : futures) {
                if (f == futures.get(50)) {
                    f.completeExceptionally(new IllegalStateException("ends the wait like any other end"));
                } else {
                    f.complete(null);
                }
            }
        });
        try {
            completer.start();
            assertThat(BoundedWait.allOrReady(futures, null, LONG)).isTrue();
            assertThat(futures).allMatch(CompletableFuture::isDone);
        } finally {
            completer.join();
        }
    }

    @Test
    void one_left_undone_times_the_wait_out_and_it_says_so() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        long start = System.nanoTime();

        assertThat(BoundedWait.allOrReady(List.of(CompletableFuture.completedFuture(null), never), null,
                TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(BoundedWait.all(List.of(never), Duration.ofMillis(50))).isFalse();

        assertThat(System.nanoTime() - start).as("both waits ran their time").isGreaterThanOrEqualTo(
                TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void ready_ends_the_wait_while_the_others_still_run_and_ready_done_before_needs_none() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread readier = new Thread(() -> ready.complete(null));
        try {
            readier.start();
            assertThat(BoundedWait.allOrReady(List.of(never), ready, LONG)).isTrue();
        } finally {
            readier.join();
        }
        assertThat(never).isNotDone();
        assertThat(BoundedWait.allOrReady(List.of(never), CompletableFuture.completedFuture(null), 0)).isTrue();
    }

    @Test
    void an_interrupt_ends_the_wait_all_returns_false_and_leaves_the_flag_set_for_the_caller() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        Thread.currentThread().interrupt();
        try {
            assertThat(BoundedWait.all(List.of(never), Duration.ofSeconds(20))).isFalse();
            assertThat(Thread.interrupted()).as("the interrupt stays set").isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
