package dev.managedprocesses.junit;

import dev.managedprocesses.testing.Proc;
import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Drops the credentials of the calling thread only (the raw setresuid system call is per-thread on
 * Linux, unlike glibc's wrapper), keeping saved uid 0 so root can be restored. Lets a test create "a
 * process this JVM may not signal" while running as root.
 */
final class Unprivileged {
    private static final String ARCH = System.getProperty("os.arch");
    private static final long SYS_SETRESUID = "aarch64".equals(ARCH) ? 147 : 117;
    private static long syscall;
    private static CallContext context;

    private Unprivileged() {
    }

    static String unavailableReason() {
        if (!Proc.isRoot()) {
            return "needs root to create a process this JVM may not signal (it drops one thread's uid)";
        }
        if (!"amd64".equals(ARCH) && !"aarch64".equals(ARCH)) {
            return "the setresuid system call number is only known here for amd64 and aarch64, not " + ARCH;
        }
        return null;
    }

    /** The raw {@code syscall(2)}: variadic after the number. */
    private static synchronized long syscall(long number, long a, long b, long c) {
        if (context == null) {
            syscall = Library.getCachedInstance("libc.so.6", Library.LAZY).getSymbolAddress("syscall");
            Type l = Type.SINT64;
            context = CallContext.getCallContext(l, 1, new Type[] {l, l, l, l}, CallingConvention.DEFAULT, true);
        }
        return Invoker.getInstance().invokeN4(context, syscall, number, a, b, c);
    }

    static void dropThisThreadTo(int uid) {
        if (syscall(SYS_SETRESUID, uid, uid, 0) != 0) {
            throw new IllegalStateException("setresuid failed");
        }
    }

    static void restoreRoot() {
        if (syscall(SYS_SETRESUID, 0, 0, 0) != 0) {
            throw new IllegalStateException("could not restore root on this thread");
        }
    }

    /** Restores root on the test's thread after every other afterEach (register it first). */
    static final class RestoreRoot implements AfterEachCallback {
        @Override
        public void afterEach(ExtensionContext context) {
            restoreRoot();
        }
    }
}
