package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * Renders one PNG bar chart per chart group from the tab-separated file that {@code report.py}
 * writes ({@code chart \t series \t category \t ops/s}), headless, into the given directory.
 */
public final class Charts {
  private Charts() {}

  /** {@code Charts <chart-data.tsv> <output dir>}. */
  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    Map<String, Map<String, Map<String, Double>>> charts = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      String[] f = line.split("\t");
      if (f.length == 4) {
        charts.computeIfAbsent(f[0], c -> new LinkedHashMap<>())
            .computeIfAbsent(f[1], s -> new LinkedHashMap<>())
            .put(f[2], Double.parseDouble(f[3]) / 1e6);
      }
    }
    for (Map.Entry<String, Map<String, Map<String, Double>>> chart : charts.entrySet()) {
      CategoryChart c = new CategoryChartBuilder().width(1000).height(420)
          .title(chart.getKey()).yAxisTitle("million ops/s").build();
      c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
      c.getStyler().setXAxisLabelRotation(0);
      List<String> categories = new ArrayList<>();
      chart.getValue().values().forEach(series -> series.keySet().forEach(k -> {
        if (!categories.contains(k)) {
          categories.add(k);
        }
      }));
      for (Map.Entry<String, Map<String, Double>> series : chart.getValue().entrySet()) {
        List<Double> ys = new ArrayList<>();
        for (String cat : categories) {
          ys.add(series.getValue().getOrDefault(cat, 0.0));
        }
        c.addSeries(series.getKey(), categories, ys);
      }
      String file = chart.getKey().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "").toLowerCase();
      BitmapEncoder.saveBitmap(c, out.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
      System.out.println("wrote " + out.resolve(file + ".png"));
    }
  }
}
