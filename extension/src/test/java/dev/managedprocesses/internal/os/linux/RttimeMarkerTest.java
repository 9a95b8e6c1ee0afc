package dev.managedprocesses.internal.os.linux;

import static dev.managedprocesses.internal.os.linux.CgroupFixture.TIMEOUT;
import static dev.managedprocesses.internal.os.linux.CgroupFixture.pidIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedprocesses.internal.os.ProcStat;
import dev.managedprocesses.testing.Proc;
import dev.managedprocesses.testing.Stranger;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RLIMIT_RTTIME marker with real processes: set on a child right after spawn, inherited by everything
 * it starts however it hides, readable from {@code /proc/PID/limits}, and absent elsewhere. Needs no
 * root: prlimit on one's own child.
 */
class RttimeMarkerTest {
    private static final AtomicLong SCOPES = new AtomicLong(System.nanoTime());

    @Test
    void the_marker_is_inherited_through_fork_setsid_exec_env_wipe_double_fork_and_a_perl_title(@TempDir Path dir)
            throws Exception {
        long self = ProcessHandle.current().pid();
        long marker = RttimeMarker.valueFor(self, Proc.startTime(self), SCOPES.incrementAndGet());
        String d = dir.toString();
        Process root = new ProcessBuilder("sh", "-c", "read gate\n"
                + "sh -c 'echo $$ > " + d + "/forked; exec sleep 300' &\n"
                + "setsid sh -c 'echo $$ > " + d + "/setsid; exec sleep 300' &\n"
                + "env -i /bin/sh -c 'echo $$ > " + d + "/env-wiped; exec sleep 300' &\n"
                + "( env -i /bin/sh -c 'echo $$ > " + d + "/double-forked; exec sleep 300' & )\n"
                + "/usr/bin/perl -e 'use POSIX; exit 0 if fork; POSIX::setsid(); exit 0 if fork; $0 = \"marked-title\";"
                + " open(my $m, \">\", \"" + d + "/perl-title\"); print $m $$; close $m; sleep 300'\n"
                + "exec sleep 300").redirectErrorStream(true).start();
        Map<String, Long> pids = new LinkedHashMap<>();
        try (Stranger stranger = Stranger.start()) {
            assertThat(RttimeMarker.mark(root.pid(), marker)).as("errno").isZero();
            release(root);
            pids.put("root", root.pid());
            for (String name : List.of("forked", "setsid", "env-wiped", "double-forked", "perl-title")) {
                pids.put(name, pidIn(dir.resolve(name)));
            }
            long perl = pids.get("perl-title");
            assertThat(Proc.eventually(TIMEOUT, () -> Proc.cmdline(perl).trim().equals("marked-title"))).isTrue();
            assertThat(ProcFs.read("/proc/" + perl + "/environ", 1 << 16).orElseThrow())
                    .as("the title overwrote the environment block").containsOnly((byte) 0, (byte) ' ');

            for (Map.Entry<String, Long> p : pids.entrySet()) {
                long pid = p.getValue();
                assertThat(RttimeMarker.read(pid)).as(p.getKey() + " (prlimit)").hasValue(marker);
                assertThat(RttimeMarker.readFromProcLimits(pid)).as(p.getKey() + " (/proc/PID/limits)").hasValue(marker);
                assertThat(hardLimitInProc(pid)).as(p.getKey() + ": hard limit untouched").isEqualTo("unlimited");
            }
            assertThat(RttimeMarker.read(stranger.pid())).as("a process outside").hasValue(RttimeMarker.UNLIMITED);
            assertThat(RttimeMarker.readFromProcLimits(stranger.pid())).hasValue(RttimeMarker.UNLIMITED);
            assertThat(RttimeMarker.read(self)).as("the JVM itself").hasValue(RttimeMarker.UNLIMITED);

            // The whole process table, by marker: exactly the processes above carry it.
            assertThat(carrying(marker)).containsExactlyInAnyOrderElementsOf(pids.values());
            assertThat(stranger.untouched()).isTrue();
        } finally {
            for (long pid : carrying(marker)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            root.destroyForcibly();
            root.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        for (long pid : pids.values()) {
            assertThat(Proc.eventually(TIMEOUT, () -> !Proc.alive(pid))).as("cleaned up %d", pid).isTrue();
        }
    }

    @Test
    void the_hard_limit_is_left_alone_and_a_lower_one_refuses_the_marker() throws Exception {
        long self = ProcessHandle.current().pid();
        long marker = RttimeMarker.valueFor(self, Proc.startTime(self), SCOPES.incrementAndGet());
        Process a = new ProcessBuilder("sleep", "300").start();
        Process b = new ProcessBuilder("sleep", "300").start();
        try {
            LibC libc = CgroupFiles.libc();
            long[] tight = {1_000_000, 1_000_000}; // one second: a real budget someone set
            assertThat(libc.prlimit((int) b.pid(), RttimeMarker.RLIMIT_RTTIME, tight, null)).isZero();

            assertThat(RttimeMarker.mark(a.pid(), marker)).isZero();
            assertThat(RttimeMarker.mark(b.pid(), marker)).as("soft above hard").isEqualTo(Errno.EINVAL);

            long[] now = new long[2];
            assertThat(libc.prlimit((int) a.pid(), RttimeMarker.RLIMIT_RTTIME, null, now)).isZero();
            assertThat(now).containsExactly(marker, RttimeMarker.UNLIMITED);
            assertThat(libc.prlimit((int) b.pid(), RttimeMarker.RLIMIT_RTTIME, null, now)).isZero();
            assertThat(now).as("untouched").containsExactly(1_000_000L, 1_000_000L);

            long noSuchPid = Long.parseLong(ProcFs.text("/proc/sys/kernel/pid_max").orElseThrow().trim()) + 1;
            assertThat(RttimeMarker.mark(noSuchPid, marker)).isEqualTo(Errno.ESRCH);
            assertThat(RttimeMarker.read(noSuchPid)).isEmpty();
            assertThatThrownBy(() -> RttimeMarker.mark(self, marker)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("this JVM");
        } finally {
            for (Process p : List.of(a, b)) {
                p.destroyForcibly();
                p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void a_marker_names_its_owner_and_scope_and_lies_far_beyond_any_budget() {
        long a = RttimeMarker.valueFor(4242, 88_123, 7);
        long b = RttimeMarker.valueFor(4242, 88_123, 8);
        long c = RttimeMarker.valueFor(4243, 88_123, 7);
        long d = RttimeMarker.valueFor(4242, 88_124, 7);

        assertThat(List.of(a, b, c, d)).doesNotHaveDuplicates().allSatisfy(v -> {
            assertThat(v).isGreaterThanOrEqualTo(1L << 62).isPositive(); // [2^62, 2^63) microseconds
            assertThat(RttimeMarker.isMarker(v)).isTrue();
        });
        assertThat(RttimeMarker.isOwnedBy(a, 4242, 88_123)).isTrue();
        assertThat(RttimeMarker.isOwnedBy(b, 4242, 88_123)).isTrue();
        assertThat(RttimeMarker.isOwnedBy(c, 4242, 88_123)).isFalse();
        assertThat(RttimeMarker.isOwnedBy(d, 4242, 88_123)).isFalse();
        assertThat(RttimeMarker.isMarker(RttimeMarker.UNLIMITED)).isFalse();
        assertThat(RttimeMarker.isMarker(1_000_000)).isFalse();
        assertThatThrownBy(() -> RttimeMarker.mark(1, 1_000_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_limits_line_is_parsed_as_the_kernel_writes_it() {
        String limits = "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max realtime priority     0                    0                    \n"
                + "Max realtime timeout      4611686018427387904  unlimited            us        \n";
        assertThat(RttimeMarker.softRealtimeTimeout(limits)).hasValue(1L << 62);
        assertThat(RttimeMarker.softRealtimeTimeout(limits.replace("4611686018427387904", "unlimited         ")))
                .hasValue(RttimeMarker.UNLIMITED);
        assertThat(RttimeMarker.softRealtimeTimeout("Max cpu time  unlimited  unlimited  seconds\n")).isEmpty();
    }

    private static void release(Process gated) throws IOException {
        OutputStream in = gated.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    private static String hardLimitInProc(long pid) {
        String limits = new String(ProcFs.read("/proc/" + pid + "/limits", 4096).orElseThrow(), StandardCharsets.US_ASCII);
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max realtime timeout")) {
                return line.substring("Max realtime timeout".length()).trim().split("\\s+")[1];
            }
        }
        throw new AssertionError("no realtime timeout line in " + limits);
    }

    /** Every live process whose soft RTTIME limit is {@code marker}. */
    private static List<Long> carrying(long marker) {
        List<Long> out = new ArrayList<>();
        for (ProcStat s : ProcFs.snapshot()) {
            OptionalLong v = RttimeMarker.read(s.pid());
            if (!s.isGone() && v.isPresent() && v.getAsLong() == marker) {
                out.add(s.pid());
            }
        }
        return out;
    }
}
