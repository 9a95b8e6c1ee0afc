package dev.managedprocesses.internal.os.portable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedprocesses.testing.PlatformProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * In portable mode nothing native is loaded: a fresh JVM that runs a managed test (scope, output, teardown,
 * adoption, the leak detector in fail mode) with {@code managedprocesses.platform=portable} as a JUnit
 * configuration parameter loads no class of jffi and maps no {@code libjffi}. The same JVM on the native
 * platform does both: the check can fail.
 */
class NoNativeLibraryTest {

    @Test
    void portable_mode_loads_no_class_of_jffi_and_maps_no_native_library() throws Exception {
        List<String> out = probe("portable");
        assertThat(out).contains("platform portable", "tests 1 0", "jffi-mapped false");
        assertThat(out).noneMatch(line -> line.contains("com.kenai.jffi"));
        assertThat(out).anyMatch(line -> line.contains("dev.managedprocesses.internal.os.portable.PortableOs"));
    }

    @Test
    void the_native_platform_loads_jffi_so_the_check_can_fail() throws Exception {
        List<String> out = probe("auto");
        assertThat(out).contains("platform linux", "tests 1 0", "jffi-mapped true");
        assertThat(out).anyMatch(line -> line.contains("com.kenai.jffi"));
    }

    /** Runs {@link PlatformProbe} with class loading logged to stdout; its output, line by line. */
    private static List<String> probe(String platform) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-Xlog:class+load=info:stdout",
                "-cp", System.getProperty("java.class.path"), PlatformProbe.class.getName(), platform));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("MANAGED_PROCESSES_SCOPE");
        Process child = builder.start();
        try {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the probe exits; its output:%n%s", output).isTrue();
            assertThat(child.exitValue()).as("the probe's exit value; its output:%n%s", output).isZero();
            return List.of(output.split("\n"));
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
