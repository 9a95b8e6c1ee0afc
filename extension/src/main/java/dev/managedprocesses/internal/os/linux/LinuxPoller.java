package dev.managedprocesses.internal.os.linux;

import dev.managedprocesses.internal.os.Poller;

/** epoll, level- or edge-triggered, with an eventfd for {@link #wakeup()}. */
final class LinuxPoller implements Poller {
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 0x1;
    private static final int EPOLLPRI = 0x2;
    private static final int EPOLLET = 1 << 31;
    private static final long WAKE_TOKEN = Long.MIN_VALUE;
    private static final int MAX_EVENTS = 256;

    /** struct epoll_event is packed on x86_64 (12 bytes), naturally aligned elsewhere (16 bytes). */
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;

    private final LibC libc;
    private final int epfd;
    private final int wakeFd;
    private final long events; // the reactor thread's epoll_wait buffer, freed by close()
    private boolean closed;    // guarded by this
    private final byte[] drain = new byte[8];
    private final byte[] one = {1, 0, 0, 0, 0, 0, 0, 0};

    LinuxPoller(LibC libc) {
        this.libc = libc;
        this.epfd = libc.epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw new IllegalStateException("epoll_create1 failed: " + Errno.name(LibC.errno()));
        }
        this.wakeFd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (wakeFd < 0) {
            libc.close(epfd);
            throw new IllegalStateException("eventfd failed: " + Errno.name(LibC.errno()));
        }
        this.events = LibC.allocate((long) EVENT_SIZE * MAX_EVENTS);
        ctl(EPOLL_CTL_ADD, wakeFd, WAKE_TOKEN);
    }

    private void ctl(int op, int fd, long token) {
        ctl(op, fd, token, EPOLLIN);
    }

    private void ctl(int op, int fd, long token, int mask) {
        long ev = LibC.struct(EVENT_SIZE); // this thread's: epoll_ctl copies the event, any thread may call this
        LibC.MEMORY.putInt(ev, mask);
        LibC.MEMORY.putLong(ev + DATA_OFFSET, token);
        if (libc.epoll_ctl(epfd, op, fd, ev) != 0 && op == EPOLL_CTL_ADD) {
            throw new IllegalStateException("epoll_ctl(ADD, fd " + fd + ") failed: " + Errno.name(LibC.errno()));
        }
    }

    @Override
    public void add(int fd, long token) {
        if (token == WAKE_TOKEN) {
            throw new IllegalArgumentException("reserved token");
        }
        ctl(EPOLL_CTL_ADD, fd, token);
    }

    @Override
    public boolean edgeTriggered() {
        return true;
    }

    @Override
    public void addEdge(int fd, long token) {
        if (token == WAKE_TOKEN) {
            throw new IllegalArgumentException("reserved token");
        }
        ctl(EPOLL_CTL_ADD, fd, token, EPOLLIN | EPOLLET);
    }

    @Override
    public void addPriority(int fd, long token) {
        if (token == WAKE_TOKEN) {
            throw new IllegalArgumentException("reserved token");
        }
        ctl(EPOLL_CTL_ADD, fd, token, EPOLLPRI);
    }

    @Override
    public void remove(int fd) {
        ctl(EPOLL_CTL_DEL, fd, 0);
    }

    @Override
    public int await(long[] tokens, int timeoutMillis) {
        int max = Math.min(tokens.length, MAX_EVENTS);
        int n = libc.epoll_wait(epfd, events, max, timeoutMillis);
        if (n < 0) {
            return 0; // EINTR: the caller loops
        }
        int out = 0;
        for (int i = 0; i < n; i++) {
            long token = LibC.MEMORY.getLong(events + (long) i * EVENT_SIZE + DATA_OFFSET);
            if (token == WAKE_TOKEN) {
                libc.read(wakeFd, drain, 8);
            } else {
                tokens[out++] = token;
            }
        }
        return out;
    }

    @Override
    public void wakeup() {
        libc.write(wakeFd, one, 0, 8);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        libc.close(wakeFd);
        libc.close(epfd);
        LibC.free(events); // only its owner thread awaits, and it has stopped awaiting when it closes
    }
}
