package dev.managedprocesses.internal.core;

import dev.managedprocesses.internal.os.Container;
import dev.managedprocesses.internal.os.ContainerException;
import dev.managedprocesses.internal.reactor.Reactor;
import java.util.function.Consumer;

/** The kernel's word that a container is empty, awaited on the reactor thread ({@code cgroup.events}: no polling). */
final class ContainerEmptiness {
    private ContainerEmptiness() {
    }

    /**
     * Runs {@code onEmpty} once no live process is left in {@code container} (or below it): on the reactor thread,
     * woken by the kernel's notice of the change, or at once on this thread where the container is gone already.
     * The notice comes at most every 10 ms per cgroup; each one re-reads the state, which re-arms it.
     */
    static void await(Reactor reactor, Container container, Runnable onEmpty) {
        int fd;
        try {
            fd = container.openEvents();
        } catch (ContainerException e) {
            onEmpty.run(); // removed: nothing is in it
            return;
        }
        Consumer<Reactor.Registration> check = r -> {
            if (r.isCancelled()) {
                return; // emptied and handled: a notice that was on its way
            }
            boolean populated;
            try {
                populated = container.populated(r.fd());
            } catch (ContainerException e) {
                populated = false; // removed: nothing can be in it
            }
            if (!populated) {
                r.cancelAndClose();
                onEmpty.run();
            }
        };
        Reactor.Registration registration = reactor.registerPriority(fd, check);
        // it may have emptied before the registration
        if (reactor.inReactorThread()) {
            check.accept(registration);
        } else {
            reactor.execute(() -> check.accept(registration));
        }
    }
}
