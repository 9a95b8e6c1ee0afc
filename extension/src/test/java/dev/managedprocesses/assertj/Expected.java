package dev.managedprocesses.assertj;

import dev.managedprocesses.ManagedProcess;
import dev.managedprocesses.ProcessIdentity;
import java.util.List;

/** The exact failure messages the tests expect, spelled out independently of the production code. */
final class Expected {
    private Expected() {
    }

    /** {@code pid 42 (sleep 100)}. */
    static String subject(ManagedProcess p) {
        return "pid " + p.pid() + " (" + String.join(" ", p.command()) + ")";
    }

    /** The message head: {@code \nExpecting\n  <subject>\n<expectation>\nbut <reason>\n}. */
    static String head(ManagedProcess p, String expectation, String reason) {
        return "\nExpecting\n  <" + subject(p) + ">\n" + expectation + "\nbut " + reason + "\n";
    }

    /** A builder for the facts block. */
    static Facts facts(ManagedProcess p) {
        return new Facts(p.identity());
    }

    static final class Facts {
        private final ProcessIdentity identity;
        private String status = "running";
        private String stderr = "  stderr: empty\n";
        private String descendants = "  live descendants: none\n";

        Facts(ProcessIdentity identity) {
            this.identity = identity;
        }

        Facts status(String status) {
            this.status = status;
            return this;
        }

        /** All of stderr, when it has at most five lines. */
        Facts stderr(String... lines) {
            StringBuilder sb = new StringBuilder("  stderr (" + lines.length + (lines.length == 1 ? " line" : " lines") + "):\n");
            for (String l : lines) {
                sb.append("    ").append(l).append('\n');
            }
            this.stderr = sb.toString();
            return this;
        }

        Facts stderrNotCaptured() {
            this.stderr = "  stderr: not captured\n";
            return this;
        }

        /** Descendants as {@code pid 43: sleep 100}. */
        Facts descendants(List<String> lines) {
            StringBuilder sb = new StringBuilder("  live descendants:\n");
            for (String l : lines) {
                sb.append("    ").append(l).append('\n');
            }
            this.descendants = sb.toString();
            return this;
        }

        @Override
        public String toString() {
            return "Process facts:\n"
                    + "  identity: pid " + identity.pid() + " (started at tick " + identity.startTime() + "), boot id "
                    + identity.bootId() + "\n"
                    + "  status: " + status + "\n"
                    + stderr
                    + descendants;
        }
    }
}
