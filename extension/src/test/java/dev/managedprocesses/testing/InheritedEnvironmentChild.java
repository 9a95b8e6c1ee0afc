package dev.managedprocesses.testing;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessScope;
import java.time.Duration;

/**
 * Run in a JVM whose locale is C: prints the JVM's {@code sun.jnu.encoding}, what it decoded for
 * {@code $X}, and the bytes a managed child that inherited the environment sees in {@code $X} (hex).
 */
public final class InheritedEnvironmentChild {
    private InheritedEnvironmentChild() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("jnu " + System.getProperty("sun.jnu.encoding"));
        System.out.println("decoded " + (System.getenv("X").equals("grüß") ? "intact" : "lossy"));
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess p = scope.start("sh", "-c", "printf %s \"$X\" | od -An -tx1");
            p.waitFor(Duration.ofSeconds(20));
            System.out.println("child " + String.join(" ", p.stdout().lines()).trim().replaceAll("\\s+", " "));
        }
    }
}
