package dev.managedprocesses;

import dev.managedprocesses.internal.os.PlatformChoice;

/**
 * The platform this JVM's processes are managed on, and so which guarantees hold (README, "Platforms"):
 * {@link #LINUX} on Linux; {@link #PORTABLE} on every other system, and on Linux with
 * {@value #PROPERTY}{@code =portable} (a system property, or a JUnit configuration parameter such as a line in
 * {@code junit-platform.properties}). The first use of the library fixes it for the life of the JVM.
 *
 * <pre>{@code
 * assumeTrue(ProcessPlatform.current() == ProcessPlatform.LINUX, "needs process groups");
 * System.err.println("processes: " + ProcessPlatform.current().describe());
 * }</pre>
 */
public enum ProcessPlatform {
    /**
     * Native Linux: {@code posix_spawn} into a process group of its own, pidfds, {@code /proc}, a cgroup per
     * scope where the JVM may create one (else the scope's cookie and inherited marker), the child subreaper
     * and the crash-safety janitor; every signal.
     */
    LINUX(PlatformChoice.LINUX),
    /**
     * The JDK alone ({@code ProcessBuilder}, {@code ProcessHandle}), so suites run on macOS and Windows too:
     * descendants are found through parent links, and only SIGTERM (where the system has it) and SIGKILL can
     * be sent; no process groups, pidfds, subreaper, scope cookie, suspend/resume or crash safety. No native
     * library is loaded.
     */
    PORTABLE(PlatformChoice.PORTABLE);

    /** The system property and JUnit configuration parameter that chooses: {@code auto} (default), {@code linux}, {@code portable}. */
    public static final String PROPERTY = PlatformChoice.KEY;

    private final String id;

    ProcessPlatform(String id) {
        this.id = id;
    }

    /**
     * The platform in use; the first call (or the first use of the library) fixes it. Loads nothing native.
     *
     * @return the platform of this JVM
     */
    public static ProcessPlatform current() {
        return of(PlatformChoice.current());
    }

    /**
     * Asks for the platform that {@code value} of {@value #PROPERTY} names, before anything was started in this
     * JVM: the {@code @ManagedProcesses} extension and the leak detector call it with the JUnit configuration
     * parameter. {@code auto} or an empty value leave the choice to the system property and the operating system.
     *
     * @param value {@code auto}, {@code linux} or {@code portable}
     * @param source where the value came from, for error messages (e.g. {@code JUnit configuration parameter})
     * @return the platform in use
     * @throws IllegalArgumentException for another value
     * @throws IllegalStateException when this JVM already uses the other platform
     * @throws UnsupportedOperationException for {@code linux} on another operating system
     */
    public static ProcessPlatform request(String value, String source) {
        return of(PlatformChoice.request(value, source));
    }

    /**
     * The value of {@value #PROPERTY} that selects this platform.
     *
     * @return {@code linux} or {@code portable}
     */
    public String id() {
        return id;
    }

    /**
     * One line for logs and reports: the platform, the system, and why it was chosen, for example
     * {@code portable (the JDK alone: ProcessBuilder and ProcessHandle) on Mac OS X, because this is Mac OS X}.
     *
     * @return the description
     */
    public String describe() {
        String how = this == LINUX ? "native: posix_spawn, pidfds, process groups, /proc"
                : "the JDK alone: ProcessBuilder and ProcessHandle";
        String why = this == current() ? ", because " + PlatformChoice.reason() : "";
        return id + " (" + how + ") on " + System.getProperty("os.name") + why;
    }

    private static ProcessPlatform of(String id) {
        return PlatformChoice.LINUX.equals(id) ? LINUX : PORTABLE;
    }
}
