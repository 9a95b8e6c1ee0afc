package dev.managedprocesses.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A median with a 95% confidence interval {@code [lo, hi]} and the number of values it came from.
 * Two ways to get one:
 * <ul>
 *   <li>{@link #ofIterations}: JMH sample-time runs. The center is the median of every sample; the
 *       interval is a Student-t interval over the logarithms of the per-iteration medians (iterations
 *       are the independent units under load, individual samples are not), so it is multiplicative.</li>
 *   <li>{@link #ofSamples}: raw independent values (single-shot teardowns, one cold JVM each). The
 *       center is their median; the interval is a percentile bootstrap of the median.</li>
 * </ul>
 * Ratios of two benchmarks of one run are {@link #pairedRatio paired} by round and iteration; other
 * ratios ({@link #ratioTo}) add the half-widths of both sides in quadrature on the log scale.
 */
record Measure(double center, double lo, double hi, int n) {

    private static final double[] T975 = {Double.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
        2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
        2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

    static Measure ofIterations(double pooledMedian, double[] iterationMedians) {
        int k = iterationMedians.length;
        if (k < 2) {
            return new Measure(pooledMedian, Double.NaN, Double.NaN, k);
        }
        // On the log scale: times are positive and skewed (one slow iteration on a busy machine), so the
        // interval is multiplicative and never reaches below zero.
        double[] logs = Arrays.stream(iterationMedians).map(Math::log).toArray();
        double mean = Arrays.stream(logs).average().orElse(Double.NaN);
        double ss = 0;
        for (double v : logs) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (k - 1));
        double t = k - 1 < T975.length ? T975[k - 1] : 1.96;
        double factor = Math.exp(t * sd / Math.sqrt(k));
        return new Measure(pooledMedian, pooledMedian / factor, pooledMedian * factor, k);
    }

    static Measure ofSamples(double[] samples) {
        int n = samples.length;
        if (n == 0) {
            return new Measure(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double center = median(samples);
        if (n < 3) {
            return new Measure(center, Double.NaN, Double.NaN, n);
        }
        Random random = new Random(42); // reproducible intervals for the same data
        int rounds = 2000;
        double[] medians = new double[rounds];
        double[] resample = new double[n];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < n; i++) {
                resample[i] = samples[random.nextInt(n)];
            }
            medians[r] = median(resample);
        }
        Arrays.sort(medians);
        return new Measure(center, medians[(int) (rounds * 0.025)], medians[(int) (rounds * 0.975) - 1], n);
    }

    /**
     * Paired ratios {@code a[r][i] / b[r][i]}: the same round (one JVM fork each, run back to back) and the
     * same iteration index, so a busy stretch of the machine weighs on both sides. The center is their
     * geometric mean, the interval a Student-t interval on their logarithms.
     */
    static Measure pairedRatio(List<double[]> a, List<double[]> b) {
        List<Double> logs = new ArrayList<>();
        for (int r = 0; r < Math.min(a.size(), b.size()); r++) {
            int n = Math.min(a.get(r).length, b.get(r).length);
            for (int i = 0; i < n; i++) {
                logs.add(Math.log(a.get(r)[i] / b.get(r)[i]));
            }
        }
        int k = logs.size();
        if (k == 0) {
            return new Measure(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double mean = logs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (k < 2) {
            return new Measure(Math.exp(mean), Double.NaN, Double.NaN, k);
        }
        double ss = 0;
        for (double v : logs) {
            ss += (v - mean) * (v - mean);
        }
        double half = (k - 1 < T975.length ? T975[k - 1] : 1.96) * Math.sqrt(ss / (k - 1)) / Math.sqrt(k);
        return new Measure(Math.exp(mean), Math.exp(mean - half), Math.exp(mean + half), k);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    boolean hasInterval() {
        return !Double.isNaN(lo) && !Double.isNaN(hi);
    }

    /**
     * This divided by {@code base}: the relative half-widths of both add in quadrature on the log scale,
     * so the interval stays positive however wide the inputs are.
     */
    Measure ratioTo(Measure base) {
        double r = center / base.center;
        if (!hasInterval() || !base.hasInterval() || lo <= 0 || base.lo <= 0) {
            return new Measure(r, Double.NaN, Double.NaN, Math.min(n, base.n));
        }
        double down = Math.hypot(Math.log(center / lo), Math.log(base.hi / base.center));
        double up = Math.hypot(Math.log(hi / center), Math.log(base.center / base.lo));
        return new Measure(r, r * Math.exp(-down), r * Math.exp(up), Math.min(n, base.n));
    }

    Measure scaled(double factor) {
        return new Measure(center * factor, lo * factor, hi * factor, n);
    }

    /** {@code 123 [110, 140]} with a sensible number of digits. */
    String format() {
        if (!hasInterval()) {
            return fmt(center) + " (n=" + n + ", no interval)";
        }
        return fmt(center) + " [" + fmt(lo) + ", " + fmt(hi) + "]";
    }

    /** {@code 0.42x [0.40, 0.44]}. */
    String formatRatio() {
        if (!hasInterval()) {
            return ratio(center) + "x";
        }
        return ratio(center) + "x [" + ratio(lo) + ", " + ratio(hi) + "]";
    }

    private static String ratio(double r) {
        return Math.abs(r) >= 0.1 || r == 0 ? String.format(Locale.ROOT, "%.2f", r) : String.format(Locale.ROOT, "%.2g", r);
    }

    /** Whether the whole interval is at or below {@code limit}, above it, or straddles it. */
    String verdict(double limit) {
        if (!hasInterval()) {
            return center <= limit ? "met (no interval)" : "MISSED (no interval)";
        }
        if (hi <= limit) {
            return "met";
        }
        if (lo > limit) {
            return "MISSED";
        }
        return center <= limit ? "met at the median, inconclusive (the interval spans the target)"
                : "MISSED at the median, inconclusive (the interval spans the target)";
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
