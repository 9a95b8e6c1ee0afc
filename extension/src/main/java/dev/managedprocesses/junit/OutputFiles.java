package dev.managedprocesses.junit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.MediaType;

/** Attaching captured output to a test's report. Isolated so a JUnit without publishFile fails only here. */
final class OutputFiles {
    private OutputFiles() {
    }

    /** JUnit 5.12+: attach the text to the test's report. Throws a LinkageError on older JUnit. */
    @SuppressWarnings("deprecation") // extension.MediaType: the variant that exists from 5.12 through 6.x
    static void publish(ExtensionContext context, String name, String text) {
        context.publishFile(name, MediaType.TEXT_PLAIN_UTF_8,
                path -> Files.writeString(path, text, StandardCharsets.UTF_8));
    }

    /** {@code target/managed-processes/<test id>} in a Maven project, else under the temp directory. */
    static Path fallbackDirectory(ExtensionContext context) {
        Path base = Files.exists(Path.of("pom.xml")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("managed-processes").resolve(context.getUniqueId().replaceAll("[^A-Za-z0-9._-]+", "_"));
    }
}
