package dev.managedprocesses.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Teardown time against the number of groups, log-log, with error bars: plain Java2D into a PNG. */
final class TeardownPlot {
    private static final int W = 960;
    private static final int H = 640;
    private static final int LEFT = 90;
    private static final int RIGHT = 40;
    private static final int TOP = 90;
    private static final int BOTTOM = 80;
    private static final Color MANAGED = new Color(0x1f77b4);
    private static final Color FLOOR = new Color(0xd62728);
    /** Library variants, in order: green, orange, purple, brown, pink, olive, cyan (matplotlib's tab10). */
    private static final Color[] VARIANTS = {new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0xbcbd22), new Color(0x17becf)};

    private TeardownPlot() {
    }

    /** One series: label, colour, and a measure (milliseconds) per number of groups. */
    record Series(String label, Color color, Map<Integer, Measure> points) {
    }

    static Series managed(Map<Integer, Measure> points, boolean withVariants) {
        return new Series("managed-processes" + (withVariants ? " (current build)" : "") + ": ProcessScope.close()",
                MANAGED, points);
    }

    /** The {@code index}-th library variant's line. */
    static Series variant(String label, int index, Map<Integer, Measure> points) {
        return new Series(label + ": ProcessScope.close()", VARIANTS[index % VARIANTS.length], points);
    }

    static Series floor(Map<Integer, Measure> points) {
        return new Series("floor: killpg(SIGTERM) each group, then waitpid each leader (jnr-ffi)", FLOOR, points);
    }

    /**
     * Draws the series (the current build, the floor, then any library variants); {@code ratios} (first
     * series to the second, per x) label the bottom of the plot. With more than two series, the points
     * of each are shifted a few pixels sideways so that equal values (an old build against the same
     * code) stay distinguishable, and only the first two carry value labels.
     */
    static void draw(Path png, List<Series> series, Map<Integer, Measure> ratios, List<String> subtitle)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        double xMin = Double.MAX_VALUE;
        double xMax = 0;
        double yMin = Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : series) {
            for (Map.Entry<Integer, Measure> e : s.points().entrySet()) {
                xMin = Math.min(xMin, e.getKey());
                xMax = Math.max(xMax, e.getKey());
                Measure m = e.getValue();
                yMin = Math.min(yMin, m.hasInterval() ? Math.max(m.lo(), m.center() / 10) : m.center());
                yMax = Math.max(yMax, m.hasInterval() ? m.hi() : m.center());
            }
        }
        if (xMax == 0) {
            throw new IllegalArgumentException("nothing to plot");
        }
        double lx0 = Math.floor(Math.log10(xMin)) - 0.15;
        double lx1 = Math.ceil(Math.log10(xMax)) + 0.15;
        if (lx1 - lx0 < 1) {
            lx1 = lx0 + 1.3;
        }
        double ly0 = Math.log10(yMin) - 0.45; // room below the lowest point for the ratio labels
        double ly1 = Math.log10(yMax) + 0.15;
        if (ly1 - ly0 < 1) {
            ly1 = ly0 + 1;
        }
        // The legend sits in the top left corner, 20 px per series: keep the highest point below it.
        double plotPx = H - TOP - BOTTOM;
        double legendPx = 30 + 20 * series.size();
        ly1 = Math.max(ly1, ly0 + (Math.log10(yMax) - ly0) * plotPx / (plotPx - legendPx));

        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            Axis x = new Axis(lx0, lx1, LEFT, W - RIGHT);
            Axis y = new Axis(ly0, ly1, H - BOTTOM, TOP);

            // grid and ticks
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            FontMetrics fm = g.getFontMetrics();
            for (int d = (int) Math.floor(ly0); d <= (int) Math.ceil(ly1); d++) {
                for (int k = 1; k <= 9; k++) {
                    double v = k * Math.pow(10, d);
                    double lv = Math.log10(v);
                    if (lv < ly0 - 1e-9 || lv > ly1 + 1e-9) {
                        continue;
                    }
                    double py = y.px(lv);
                    g.setColor(k == 1 ? new Color(0xcccccc) : new Color(0xeeeeee));
                    g.draw(new Line2D.Double(LEFT, py, W - RIGHT, py));
                    if (k == 1 || k == 2 || k == 5) {
                        g.setColor(Color.DARK_GRAY);
                        String label = number(v);
                        g.drawString(label, LEFT - 8 - fm.stringWidth(label), (float) py + 5);
                    }
                }
            }
            for (int d = (int) Math.floor(lx0); d <= (int) Math.ceil(lx1); d++) {
                double v = Math.pow(10, d);
                double lv = Math.log10(v);
                if (lv < lx0 || lv > lx1) {
                    continue;
                }
                double px = x.px(lv);
                g.setColor(new Color(0xcccccc));
                g.draw(new Line2D.Double(px, TOP, px, H - BOTTOM));
                g.setColor(Color.DARK_GRAY);
                String label = number(v);
                g.drawString(label, (float) px - fm.stringWidth(label) / 2f, H - BOTTOM + 20);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            fm = g.getFontMetrics();
            String xl = "live process groups torn down (log scale)";
            g.drawString(xl, LEFT + (W - LEFT - RIGHT - fm.stringWidth(xl)) / 2f, H - BOTTOM + 45);
            Graphics2D gy = (Graphics2D) g.create();
            gy.rotate(-Math.PI / 2);
            String yl = "teardown time, ms (log scale; median, 95% CI)";
            gy.drawString(yl, -(TOP + (H - TOP - BOTTOM + fm.stringWidth(yl)) / 2f), 28f);
            gy.dispose();

            // title
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString("Teardown of N live SIGTERM-obedient process groups", LEFT, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.DARK_GRAY);
            float sy = 50;
            for (String line : subtitle) {
                g.drawString(line, LEFT, sy);
                sy += 15;
            }

            // series
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            fm = g.getFontMetrics();
            int legendY = TOP + 22;
            for (int si = 0; si < series.size(); si++) {
                Series s = series.get(si);
                double dodge = series.size() > 2 ? (si - (series.size() - 1) / 2.0) * 7 : 0;
                g.setColor(s.color());
                g.setStroke(new BasicStroke(2f));
                Path2D line = new Path2D.Double();
                boolean first = true;
                for (Map.Entry<Integer, Measure> e : s.points().entrySet()) {
                    double px = x.px(Math.log10(e.getKey())) + dodge;
                    double py = y.px(Math.log10(e.getValue().center()));
                    if (first) {
                        line.moveTo(px, py);
                        first = false;
                    } else {
                        line.lineTo(px, py);
                    }
                }
                g.draw(line);
                for (Map.Entry<Integer, Measure> e : s.points().entrySet()) {
                    Measure m = e.getValue();
                    double px = x.px(Math.log10(e.getKey())) + dodge;
                    double py = y.px(Math.log10(m.center()));
                    if (m.hasInterval()) {
                        double top = y.px(Math.log10(m.hi()));
                        double bottom = y.px(Math.log10(Math.max(m.lo(), Math.pow(10, ly0))));
                        g.setStroke(new BasicStroke(1.5f));
                        g.draw(new Line2D.Double(px, top, px, bottom));
                        g.draw(new Line2D.Double(px - 6, top, px + 6, top));
                        g.draw(new Line2D.Double(px - 6, bottom, px + 6, bottom));
                    }
                    g.fillOval((int) px - 5, (int) py - 5, 10, 10);
                    if (si < 2) {
                        String label = number(m.center()) + " ms";
                        g.drawString(label, (float) px + 9, (float) py + (s.color() == FLOOR ? 16 : -8));
                    }
                }
                g.setStroke(new BasicStroke(2f));
                g.draw(new Line2D.Double(LEFT + 14, legendY - 4, LEFT + 44, legendY - 4));
                g.fillOval(LEFT + 24, legendY - 9, 10, 10);
                g.setColor(Color.BLACK);
                g.drawString(s.label(), LEFT + 52, legendY);
                legendY += 20;
            }
            // ratio annotations along the bottom
            if (series.size() >= 2) {
                g.setColor(Color.BLACK);
                for (Map.Entry<Integer, Measure> e : ratios.entrySet()) {
                    String r = (series.size() > 2 ? "current: " : "") + e.getValue().formatRatio() + " the floor";
                    double px = x.px(Math.log10(e.getKey()));
                    g.drawString(r, (float) Math.min(px - fm.stringWidth(r) / 2.0, W - RIGHT - fm.stringWidth(r) - 4),
                            H - BOTTOM - 10);
                }
            }
        } finally {
            g.dispose();
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        if (!ImageIO.write(img, "png", png.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    private static String number(double v) {
        if (v >= 1) {
            return String.format(Locale.ROOT, v >= 10 ? "%.0f" : "%.1f", v).replace(".0", "");
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }

    private record Axis(double l0, double l1, double p0, double p1) {
        double px(double l) {
            return p0 + (l - l0) / (l1 - l0) * (p1 - p0);
        }
    }
}
