package dev.managedprocesses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.managedprocesses.internal.os.Os;
import dev.managedprocesses.internal.safety.PinnedProcess;
import dev.managedprocesses.internal.safety.ProtectedProcesses;
import dev.managedprocesses.testing.Proc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JVM and every one of its ancestors (its parent, the build tool above it, the shell above that) are
 * out of reach of every path that signals: adoption refuses them, pinning refuses them, the one check
 * refuses them. Adopting the JVM's grandparent used to be accepted, and teardown then sent SIGTERM to
 * the JVM's own family. The janitor's and the leak killer's paths are tested beside them
 * ({@code JanitorTest}, {@code LeakKillerTest}).
 */
class ProtectedAncestorsTest {

    /** The JVM's ancestors above it, read from /proc independently of the library, nearest first. */
    private static List<Long> ancestors() {
        List<Long> out = new ArrayList<>();
        for (long pid = Proc.ppid(ProcessHandle.current().pid()); pid > 1; pid = Proc.ppid(pid)) {
            out.add(pid);
        }
        return out;
    }

    @Test
    void adopt_refuses_the_jvm_and_every_ancestor_of_it() {
        List<Long> ancestors = ancestors();
        assumeTrue(ancestors.size() >= 2, "Skipped: this JVM has no grandparent below init (it runs right under pid 1)");
        try (ProcessScope scope = ProcessScope.open()) {
            for (long pid : ancestors) {
                assertThatThrownBy(() -> scope.adopt(pid)).as("adopt(%d), an ancestor of this JVM", pid)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("Cannot adopt pid " + pid + ": it is ")
                        .hasMessageEndingWith(". Adopt only processes that your test started");
            }
            long plain = Proc.plainAncestor();
            if (plain > 0) {
                assertThatThrownBy(() -> scope.adopt(plain)).hasMessageContaining("an ancestor of this JVM");
            }
            assertThatThrownBy(() -> scope.adopt(ProcessHandle.current().pid())).hasMessageContaining("this JVM");
            assertThat(scope.processes()).as("nothing was adopted").isEmpty();
        }
    }

    @Test
    void pinning_refuses_the_jvm_and_every_ancestor_of_it_whoever_asks() {
        Os os = Os.current();
        List<Long> pids = new ArrayList<>(ancestors());
        pids.add(ProcessHandle.current().pid());
        for (long pid : pids) {
            PinnedProcess.Pin pin = PinnedProcess.pin(os, pid, -1);
            assertThat(pin.outcome()).as("pin(%d)", pid).isEqualTo(PinnedProcess.Outcome.PROTECTED);
            assertThat(pin.process()).isNull();
            assertThatThrownBy(() -> ProtectedProcesses.checkProcess(os.table(), pid, "signal"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Refusing to signal pid " + pid + ": it is ");
        }
    }

    @Test
    void a_process_of_the_jvms_own_is_not_protected() throws Exception {
        try (ProcessScope scope = ProcessScope.open()) {
            ManagedProcess child = scope.start("sleep", "300");
            assertThat(ProtectedProcesses.reason(Os.current().table(), child.pid())).isNull();
            Process jdkChild = new ProcessBuilder("sleep", "300").start();
            try {
                ManagedProcess adopted = scope.adopt(jdkChild);
                assertThat(adopted.isAlive()).isTrue();
            } finally {
                jdkChild.destroyForcibly().waitFor();
            }
        }
    }
}
