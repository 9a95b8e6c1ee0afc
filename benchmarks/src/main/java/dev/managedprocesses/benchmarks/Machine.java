package dev.managedprocesses.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the numbers were measured on. */
final class Machine {
    private Machine() {
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    static String jdk() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")";
    }

    /** Several lines: CPUs, model, kernel, JDK. */
    static String describe() {
        return "nproc:  " + Runtime.getRuntime().availableProcessors() + "\n"
                + "CPU:    " + cpuModel() + "\n"
                + "kernel: Linux " + kernel() + " (" + System.getProperty("os.arch") + ")\n"
                + "JDK:    " + jdk();
    }

    static String oneLine() {
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), Linux " + kernel() + ", "
                + jdk();
    }
}
