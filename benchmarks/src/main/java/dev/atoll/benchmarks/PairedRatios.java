package dev.atoll.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Measures one {@link MapBenchmark} configuration as <em>paired ratios</em>: each round runs one
 * fork of the base map and one fork of every other map back to back (the order reversed every
 * other round), and divides each map's score by the base's score of the same round. It prints each
 * round's ratios and their median.
 *
 * <p>Why: on this project's shared 2-core machine the speed of the whole machine drifts by 20-30 %
 * within minutes, so JMH's usual order (all forks of one map, then all forks of the next) turns
 * drift into a false ratio. A ratio of two forks a few seconds apart cancels most of it, and the
 * median of several rounds drops the occasional bad fork. Not part of {@code benchmarks/run}.
 *
 * <p>Run, for example: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.atoll.benchmarks.PairedRatios rounds=5 base=CHM impls=CHAINED,PROBING threads=1
 * mix=100/0/0 dist=uniform keys=scrambled}. Every argument is optional; the defaults are those
 * values (size is 1000000; each fork warms up 2 x 1 s and measures 3 x 1 s).
 */
public final class PairedRatios {
  private PairedRatios() {}

  /** Entry point, see the class comment. */
  public static void main(String[] args) throws RunnerException {
    Map<String, String> a = new LinkedHashMap<>();
    String[] defaults = {"rounds", "5", "base", "CHM", "impls", "CHAINED,PROBING", "threads", "1",
        "mix", "100/0/0", "dist", "uniform", "keys", "scrambled", "size", "1000000"};
    for (int i = 0; i < defaults.length; i += 2) {
      a.put(defaults[i], defaults[i + 1]);
    }
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0 || !a.containsKey(arg.substring(0, eq))) {
        throw new IllegalArgumentException("unknown argument (expected one of " + a.keySet() + " as name=value): " + arg);
      }
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    int rounds = Integer.parseInt(a.get("rounds"));
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be >= 1: " + rounds);
    }
    String base = a.get("base");
    List<String> others = Arrays.asList(a.get("impls").split(","));
    Map<String, double[]> ratios = new LinkedHashMap<>();
    for (String impl : others) {
      ratios.put(impl, new double[rounds]);
    }
    System.out.printf(Locale.ROOT, "# %s%n", a);
    for (int r = 0; r < rounds; r++) {
      List<String> order = new ArrayList<>();
      order.add(base);
      order.addAll(others);
      if (r % 2 == 1) {
        Collections.reverse(order);
      }
      Map<String, Double> score = new LinkedHashMap<>();
      for (String impl : order) {
        score.put(impl, run(a, impl));
      }
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d: %s %.3gM", r + 1, base, score.get(base) / 1e6));
      for (String impl : others) {
        double ratio = score.get(impl) / score.get(base);
        ratios.get(impl)[r] = ratio;
        line.append(String.format(Locale.ROOT, ", %s %.3gM (%.2f)", impl, score.get(impl) / 1e6, ratio));
      }
      System.out.println(line);
    }
    for (Map.Entry<String, double[]> e : ratios.entrySet()) {
      double[] v = e.getValue().clone();
      Arrays.sort(v);
      double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
      System.out.printf(Locale.ROOT, "%s / %s: median %.2f (min %.2f, max %.2f, %d rounds)%n",
          e.getKey(), base, median, v[0], v[v.length - 1], v.length);
    }
  }

  /** One fork of MapBenchmark for {@code impl}; returns its score in ops/s. */
  private static double run(Map<String, String> a, String impl) throws RunnerException {
    Options options = new OptionsBuilder()
        .include(MapBenchmark.class.getName() + ".op")
        .param("impl", impl)
        .param("mix", a.get("mix"))
        .param("dist", a.get("dist"))
        .param("keys", a.get("keys"))
        .param("size", a.get("size"))
        .threads(Integer.parseInt(a.get("threads")))
        .forks(1)
        .warmupIterations(2)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(3)
        .measurementTime(TimeValue.seconds(1))
        .verbosity(VerboseMode.SILENT)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    return results.iterator().next().getPrimaryResult().getScore();
  }
}
