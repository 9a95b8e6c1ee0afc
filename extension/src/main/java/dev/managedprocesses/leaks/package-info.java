/**
 * Leak detection for a whole test run: processes that a test leaves running, whoever started them (plain
 * {@code ProcessBuilder}, {@code Runtime.exec}, a library that forks), are reported, fail the test that
 * leaked them, or are ended, as {@link dev.managedprocesses.leaks.LeakMode} says. Off until the configuration
 * parameter {@value dev.managedprocesses.leaks.LeakSettings#MODE_KEY} is set; the other keys are in
 * {@link dev.managedprocesses.leaks.LeakSettings}.
 *
 * <p>{@link dev.managedprocesses.leaks.LeakDetectionListener} watches the run (registered through
 * {@code META-INF/services}), {@link dev.managedprocesses.leaks.LeakCheckExtension} makes a leaking Jupiter test
 * go red, and {@link dev.managedprocesses.leaks.LeakCheckEngine} and
 * {@link dev.managedprocesses.leaks.LeakSessionListener} fail the run for leaks no test could be failed for.
 * {@link dev.managedprocesses.leaks.AllowProcessLeaks} opts a test or class out.
 */
package dev.managedprocesses.leaks;
