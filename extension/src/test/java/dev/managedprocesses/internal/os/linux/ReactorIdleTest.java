package dev.managedprocesses.internal.os.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.internal.reactor.Reactor;
import dev.managedprocesses.testing.LinuxOnly;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Reactor#whenIdle}: housekeeping (removing the cgroups of processes that are gone) waits until the
 * reactor has nothing else to do, runs in the order given, and is not starved by a reactor that never idles.
 */
@LinuxOnly("the reactor thread (epoll) is the native platform's")
class ReactorIdleTest {

    @Test
    void idle_tasks_run_in_the_order_given() throws Exception {
        Reactor reactor = Reactor.get();
        List<Integer> order = new ArrayList<>(); // reactor thread only
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 50; i++) {
            int n = i;
            reactor.whenIdle(() -> order.add(n));
        }
        reactor.whenIdle(done::countDown);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add(i);
        }
        assertThat(order).isEqualTo(expected);
    }

    @Test
    void a_reactor_that_never_idles_still_runs_them() throws Exception {
        LibC libc = CgroupFiles.libc();
        int[] pipe = TestPipe.open();
        Reactor reactor = Reactor.get();
        Reactor.Registration busy = null;
        try {
            assertThat(libc.write(pipe[1], new byte[] {1}, 0, 1)).isEqualTo(1);
            // never read: the descriptor is ready on every turn of the reactor, which is never idle
            CountDownLatch turned = new CountDownLatch(1000);
            busy = reactor.register(pipe[0], r -> turned.countDown());
            assertThat(turned.await(10, TimeUnit.SECONDS)).as("the reactor is busy").isTrue();
            CountDownLatch ran = new CountDownLatch(1);
            reactor.whenIdle(ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("the idle task ran anyway").isTrue();
        } finally {
            if (busy != null) {
                Reactor.Registration r = busy;
                CountDownLatch closed = new CountDownLatch(1);
                reactor.execute(() -> {
                    r.cancelAndClose(); // closes the read end on the reactor thread
                    closed.countDown();
                });
                assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
            } else {
                libc.close(pipe[0]);
            }
            libc.close(pipe[1]);
        }
    }
}
