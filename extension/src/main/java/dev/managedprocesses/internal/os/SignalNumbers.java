package dev.managedprocesses.internal.os;

import dev.managedprocesses.Signal;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that knows signal numbers: a {@link Signal} stays a {@code Signal} everywhere else,
 * down to the system call. Numbers differ between platforms (SIGCONT is 18 on Linux, 19 on macOS), so
 * each platform has its table; the running platform's is chosen by {@code os.name}, without loading
 * anything native (an {@code ExitStatus} prints its signal's name through this table).
 */
public final class SignalNumbers {
    /** Linux (and the conventional numbering elsewhere, e.g. for Windows' emulated exit values). */
    public static final SignalNumbers LINUX = new SignalNumbers("Linux", new int[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 31});
    /** macOS and the BSDs. */
    public static final SignalNumbers DARWIN = new SignalNumbers("macOS", new int[] {
        1, 2, 3, 4, 5, 6, 10, 8, 9, 30, 11, 31, 13, 14, 15, 20, 19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 12});

    private static final SignalNumbers CURRENT =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac") ? DARWIN : LINUX;

    private final String platform;
    private final Map<Signal, Integer> numbers = new EnumMap<>(Signal.class);
    private final int[] byOrdinal; // the same, for number(): a teardown asks twice per group

    /** {@code numbers} in the order of {@link Signal#values()}. */
    private SignalNumbers(String platform, int[] numbers) {
        this.platform = platform;
        Signal[] all = Signal.values();
        if (all.length != numbers.length) {
            throw new IllegalStateException("signal table for " + platform + " has " + numbers.length
                    + " numbers for " + all.length + " signals");
        }
        for (int i = 0; i < all.length; i++) {
            this.numbers.put(all[i], numbers[i]);
        }
        this.byOrdinal = numbers.clone();
    }

    /** The table of the platform this JVM runs on. */
    public static SignalNumbers current() {
        return CURRENT;
    }

    /** The platform's name, for messages. */
    public String platform() {
        return platform;
    }

    /** {@code signal}'s number on this platform. */
    public int number(Signal signal) {
        return byOrdinal[signal.ordinal()];
    }

    /** The named signal with this number, if any. */
    public Optional<Signal> signal(int number) {
        for (Map.Entry<Signal, Integer> e : numbers.entrySet()) {
            if (e.getValue() == number) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }
}
