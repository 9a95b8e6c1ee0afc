package dev.managedprocesses.internal.core;

import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to start, as the public {@code ProcessSpec} collected it (already checked there).
 *
 * @param command program and arguments
 * @param directory working directory, or null for the JVM's
 * @param environment the complete environment (the scope adds its marker)
 * @param stdin where stdin comes from
 * @param stdout where stdout goes
 * @param stderr where stderr goes
 * @param mergeStderr stderr goes wherever stdout goes
 * @param charset the charset of the captured output
 * @param outputLimit the most characters kept per captured stream
 */
public record SpawnPlan(List<String> command, Path directory, Map<String, String> environment, Redirect stdin,
        Redirect stdout, Redirect stderr, boolean mergeStderr, Charset charset, int outputLimit) {
}
