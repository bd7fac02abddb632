package dev.atoll.benchmarks;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns a {@code benchmarks/run} result directory (JMH JSON files and {@code footprint.tsv}) into
 * {@code docs/benchmarks.md}: the environment, the issue targets with the worst measured ratio, one
 * table per map workload with the ratio to ConcurrentHashMap, the other benchmarks, and memory per
 * entry. It also writes {@code chart-data.tsv} for {@link Charts}.
 *
 * <p>{@code Report <result dir> <command line> <markdown file>}
 */
public final class Report {
  private Report() {}

  /**
   * One JMH result: benchmark class simple name, method, params, threads, score and error, and the
   * bytes allocated per operation ({@code -prof gc}'s {@code gc.alloc.rate.norm}; NaN when the run
   * was not profiled).
   */
  record Row(String bench, String method, Map<String, String> params, int threads, double score,
      double error, String unit, double alloc) {
    Row(String bench, String method, Map<String, String> params, int threads, double score, double error, String unit) {
      this(bench, method, params, threads, score, error, unit, Double.NaN);
    }

    String impl() {
      return params.getOrDefault("impl", "");
    }

    /** The params without {@code impl}, plus the thread count: what two compared rows share. */
    String workload() {
      Map<String, String> p = new TreeMap<>(params);
      p.remove("impl");
      return bench + "." + method + " " + p + " t" + threads;
    }
  }

  /** Where and how the numbers were produced. */
  record Environment(int cores, String cpu, String jdk, String date, String command) {
    static Environment ofThisMachine(String command) {
      return new Environment(Runtime.getRuntime().availableProcessors(), cpuModel(),
          System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
          ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
          command);
    }
  }

  /** Entry point, see the class comment. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    List<Row> rows = readResults(dir);
    Path fp = dir.resolve("footprint.tsv");
    Map<String, Double> footprint = Files.exists(fp) ? readFootprint(Files.readAllLines(fp)) : Map.of();
    Files.writeString(dir.resolve("chart-data.tsv"), chartData(rows));
    Path out = Path.of(args[2]);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, render(rows, footprint, Environment.ofThisMachine(args[1])));
  }

  // ---- input

  static List<Row> readResults(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
    }
    List<Row> rows = new ArrayList<>();
    for (Path f : files) {
      rows.addAll(parseJmhJson(Files.readString(f, StandardCharsets.UTF_8)));
    }
    return rows;
  }

  static List<Row> parseJmhJson(String json) {
    List<Row> rows = new ArrayList<>();
    JsonArray results = JsonParser.parseString(json).getAsJsonArray();
    for (JsonElement e : results) {
      JsonObject r = e.getAsJsonObject();
      String[] name = r.get("benchmark").getAsString().split("\\.");
      Map<String, String> params = new TreeMap<>();
      if (r.has("params")) {
        r.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
      }
      JsonObject m = r.getAsJsonObject("primaryMetric");
      JsonElement err = m.get("scoreError");
      double error = err == null || !err.isJsonPrimitive() || !err.getAsJsonPrimitive().isNumber()
          ? Double.NaN : err.getAsDouble();
      double alloc = Double.NaN;
      if (r.has("secondaryMetrics")) {
        for (Map.Entry<String, JsonElement> sm : r.getAsJsonObject("secondaryMetrics").entrySet()) {
          if (sm.getKey().endsWith("gc.alloc.rate.norm")) {
            alloc = sm.getValue().getAsJsonObject().get("score").getAsDouble();
          }
        }
      }
      rows.add(new Row(name[name.length - 2], name[name.length - 1], params, r.get("threads").getAsInt(),
          m.get("score").getAsDouble(), error, m.get("scoreUnit").getAsString(), alloc));
    }
    return rows;
  }

  /** {@code impl \t bytes-per-entry} lines, as {@link Footprint} prints them. */
  static Map<String, Double> readFootprint(List<String> lines) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String line : lines) {
      String[] f = line.split("\t");
      if (f.length == 2) {
        m.put(f[0], Double.parseDouble(f[1]));
      }
    }
    return m;
  }

  // ---- targets

  /** A goal from an issue, checked against this run. */
  interface Target {
    /** One markdown table row: target, measured, met. */
    String row(List<Row> rows, Map<String, Double> footprint);
  }

  /**
   * {@code impl} must reach {@code min ×} the score of {@code peer} (same workload and thread count)
   * in every configuration that {@code where} selects; the worst ratio decides. For
   * {@code lowerIsBetter} scores (time per op) the ratio is peer / impl.
   */
  record RatioTarget(String text, String bench, String impl, String peer, Predicate<Row> where, double min)
      implements Target {
    @Override
    public String row(List<Row> rows, Map<String, Double> footprint) {
      Map<String, Row> peers = new TreeMap<>();
      rows.stream().filter(r -> r.bench.equals(bench) && r.impl().equals(peer)).forEach(r -> peers.put(r.workload(), r));
      double worst = Double.POSITIVE_INFINITY;
      String where = "";
      int n = 0;
      for (Row r : rows) {
        Row p = peers.get(r.workload());
        if (!r.bench.equals(bench) || !r.impl().equals(impl) || p == null || !this.where.test(r)) {
          continue;
        }
        n++;
        double ratio = r.unit.endsWith("/op") ? p.score / r.score : r.score / p.score;
        if (ratio < worst) {
          worst = ratio;
          where = describe(r);
        }
      }
      if (n == 0) {
        return String.format(Locale.ROOT, "| %s | not measured in this run | — |", text);
      }
      return String.format(Locale.ROOT, "| %s | worst %.2f× of %d configs (%s) | %s |", text, worst, n, where,
          worst >= min ? "yes" : "**no**");
    }
  }

  /** Memory per entry of {@code impl} at most {@code max ×} that of {@code peer}. */
  record MemoryTarget(String text, String impl, String peer, double max) implements Target {
    @Override
    public String row(List<Row> rows, Map<String, Double> footprint) {
      Double a = footprint.get(impl);
      Double b = footprint.get(peer);
      if (a == null || b == null) {
        return String.format(Locale.ROOT, "| %s | not measured in this run | — |", text);
      }
      double ratio = a / b;
      return String.format(Locale.ROOT, "| %s | %.1f vs %.1f B/entry (%.2f×) | %s |", text, a, b, ratio,
          ratio <= max ? "yes" : "**no**");
    }
  }

  /**
   * {@code snapshot()}+write at 1M entries costs at most {@code max ×} its cost at 10k, measured as
   * the snapshot's own cost: snapshotThenWrite minus the same write alone (writeOnly), at each size.
   * A write to a random place of a 1M-entry map misses the caches whatever the map, so the raw
   * times are shown too.
   */
  record SnapshotTarget(String text, String impl, double max) implements Target {
    @Override
    public String row(List<Row> rows, Map<String, Double> footprint) {
      Row small = find(rows, "SnapshotBenchmark", "snapshotThenWrite", impl, "10000");
      Row big = find(rows, "SnapshotBenchmark", "snapshotThenWrite", impl, "1000000");
      Row smallBase = find(rows, "SnapshotBenchmark", "writeOnly", impl, "10000");
      Row bigBase = find(rows, "SnapshotBenchmark", "writeOnly", impl, "1000000");
      if (small == null || big == null) {
        return String.format(Locale.ROOT, "| %s | not measured in this run | — |", text);
      }
      if (smallBase == null || bigBase == null) {
        double ratio = big.score / small.score;
        return String.format(Locale.ROOT, "| %s | %.0f ns at 1M vs %.0f ns at 10k (%.2f×) | %s |", text,
            big.score, small.score, ratio, ratio <= max ? "yes" : "**no**");
      }
      double bigOwn = big.score - bigBase.score;
      double smallOwn = small.score - smallBase.score;
      double ratio = bigOwn / smallOwn;
      String alloc = "";
      if (!Double.isNaN(big.alloc) && !Double.isNaN(small.alloc) && !Double.isNaN(bigBase.alloc) && !Double.isNaN(smallBase.alloc)) {
        double bigBytes = big.alloc - bigBase.alloc;
        double smallBytes = small.alloc - smallBase.alloc;
        alloc = String.format(Locale.ROOT, "; bytes allocated by the snapshot (the nodes it copies) %.0f at 1M vs %.0f at 10k (%.2f×)",
            bigBytes, smallBytes, bigBytes / smallBytes);
      }
      return String.format(Locale.ROOT,
          "| %s | snapshot's own cost %.0f ns at 1M vs %.0f ns at 10k (%.2f×); snapshot+write %.0f vs %.0f ns, "
              + "write alone %.0f vs %.0f ns%s | %s |", text, bigOwn, smallOwn, ratio, big.score, small.score,
          bigBase.score, smallBase.score, alloc, ratio <= max ? "yes" : "**no**");
    }
  }

  static String describe(Row r) {
    Map<String, String> p = new TreeMap<>(r.params);
    p.remove("impl");
    return p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "))
        + " t" + r.threads;
  }

  static Predicate<Row> param(String name, String value) {
    return r -> value.equals(r.params.get(name));
  }

  static final Predicate<Row> ANY = r -> true;
  static final Predicate<Row> READS_1M = param("mix", "100/0/0").and(param("size", "1000000"));
  static final Predicate<Row> SIZE_1M = param("size", "1000000");

  /** Map targets are checked on each key set of MapBenchmark (rows without the param count for both). */
  static final List<String> KEY_SETS = List.of("sequential", "scrambled");

  static Predicate<Row> keys(String keySet) {
    return r -> !r.params.containsKey("keys") || keySet.equals(r.params.get("keys"));
  }

  /** The performance goals of the issues, in issue order. */
  static final List<Target> TARGETS = targets();

  private static List<Target> targets() {
    List<Target> t = new ArrayList<>();
    for (String k : KEY_SETS) {
      String on = " (" + k + " keys)";
      Predicate<Row> reads = READS_1M.and(keys(k));
      t.add(new RatioTarget("#5 ChainedHashMap reads ≥ 0.9× CHM" + on, "MapBenchmark", "CHAINED", "CHM", reads, 0.9));
      t.add(new RatioTarget("#5 HopscotchHashMap reads ≥ 1.0× CHM" + on, "MapBenchmark", "HOPSCOTCH", "CHM", reads, 1.0));
      t.add(new RatioTarget("#5 (for reference) the read limit of HopscotchHashMap's layout (LIMIT_OPEN_ENTRIES) vs CHM" + on,
          "MapBenchmark", "LIMIT_OPEN_ENTRIES", "CHM", reads, 1.0));
    }
    t.add(new MemoryTarget("#5 HopscotchHashMap memory < CHM", "HOPSCOTCH", "CHM", 0.999));
    for (String k : KEY_SETS) {
      String on = " (" + k + " keys)";
      Predicate<Row> reads = READS_1M.and(keys(k));
      Predicate<Row> all = SIZE_1M.and(keys(k));
      t.add(new RatioTarget("#6 ProbingHashMap ≥ 1.0× NBHM, every mix" + on, "MapBenchmark", "PROBING", "NBHM", all, 1.0));
      t.add(new RatioTarget("#6 ProbingHashMap reads ≥ 1.0× CHM" + on, "MapBenchmark", "PROBING", "CHM", reads, 1.0));
      t.add(new RatioTarget("#6 (for reference) the read limit of ProbingHashMap's layout (LIMIT_OPEN_KV) vs CHM" + on,
          "MapBenchmark", "LIMIT_OPEN_KV", "CHM", reads, 1.0));
      t.add(new RatioTarget("#6 SegmentedHashMap ≥ 1.1× CHM on 50/25/25, 2 threads" + on, "MapBenchmark", "SEGMENTED",
          "CHM", all.and(param("mix", "50/25/25")).and(r -> r.threads == 2), 1.1));
    }
    t.add(new MemoryTarget("#6 ProbingHashMap memory < CHM", "PROBING", "CHM", 0.999));
    t.add(new MemoryTarget("#6 SegmentedHashMap memory < CHM", "SEGMENTED", "CHM", 0.999));
    for (String k : KEY_SETS) {
      String on = " (" + k + " keys)";
      t.add(new RatioTarget("#7 HashTrieMap ≥ 1.5× Scala TrieMap, every mix" + on, "MapBenchmark", "HASH_TRIE",
          "SCALA_TRIEMAP", SIZE_1M.and(keys(k)), 1.5));
      t.add(new RatioTarget("#7 HashTrieMap reads ≥ 0.7× CHM" + on, "MapBenchmark", "HASH_TRIE", "CHM",
          READS_1M.and(keys(k)), 0.7));
      t.add(new RatioTarget("#7 (for reference) the read limit of a 64-way hash trie (LIMIT_HAMT) vs CHM" + on,
          "MapBenchmark", "LIMIT_HAMT", "CHM", READS_1M.and(keys(k)), 0.7));
    }
    t.add(new SnapshotTarget("#7 HashTrieMap snapshot+write at 1M ≤ 1.5× its cost at 10k", "HASH_TRIE", 1.5));
    t.add(new SnapshotTarget("#7 (for reference) Scala TrieMap snapshot+write at 1M vs its cost at 10k", "SCALA_TRIEMAP", 1.5));
    t.add(new MemoryTarget("#7 HashTrieMap memory ≤ Scala TrieMap", "HASH_TRIE", "SCALA_TRIEMAP", 1.0));
    t.add(new RatioTarget("#8 LeftRightMap reads while writing ≥ 0.8× unsynchronised HashMap read under the same writer",
        "ReadWhileWritingBenchmark", "LEFT_RIGHT", "HASHMAP_RACY_WRITER", ANY, 0.8));
    t.add(new RatioTarget("#8 (for reference) LeftRightMap reads while writing vs a HashMap read with no writer at all",
        "ReadWhileWritingBenchmark", "LEFT_RIGHT", "HASHMAP", ANY, 0.8));
    t.add(new RatioTarget("#8 LeftRightMap reads while writing ≥ 2× RW-lock HashMap", "ReadWhileWritingBenchmark",
        "LEFT_RIGHT", "RWLOCK_HASHMAP", ANY, 2.0));
    t.add(new MemoryTarget("#8 LeftRightMap memory ≈ 2× HashMap (≤ 2.5×)", "LEFT_RIGHT", "HASHMAP", 2.5));
    t.add(new RatioTarget("#9 LockMap entry+close ≥ 1.5× CHM of ReentrantLock with clean-up (no memory per idle key, as LockMap)",
        "LockBenchmark", "LOCK_MAP", "CHM_REENTRANTLOCK_CLEANUP", ANY, 1.5));
    t.add(new RatioTarget("#9 (for reference) LockMap entry+close vs CHM of ReentrantLock that never removes a lock",
        "LockBenchmark", "LOCK_MAP", "CHM_REENTRANTLOCK", ANY, 1.5));
    t.add(new RatioTarget("#9 suspend withLock ≥ 1.5× CHM of kotlinx Mutex with clean-up (no memory per idle key, as LockMap)",
        "SuspendLockBenchmark", "LOCK_MAP", "CHM_MUTEX_CLEANUP", ANY, 1.5));
    t.add(new RatioTarget("#9 (for reference) suspend withLock vs CHM of kotlinx Mutex that never removes a mutex",
        "SuspendLockBenchmark", "LOCK_MAP", "CHM_MUTEX", ANY, 1.5));
    t.add(new RatioTarget("#9 LruLockMap get ≥ 0.8× Caffeine", "CacheBenchmark", "LRU_LOCK_MAP", "CAFFEINE", ANY, 0.8));
    return List.copyOf(t);
  }

  static Row find(List<Row> rows, String bench, String method, String impl, String size) {
    return rows.stream().filter(r -> r.bench.equals(bench) && r.method.equals(method) && r.impl().equals(impl)
        && size.equals(r.params.get("size"))).findFirst().orElse(null);
  }

  // ---- output

  private static final List<String> MIXES = List.of("100/0/0", "95/4/1", "50/25/25");

  static String render(List<Row> rows, Map<String, Double> footprint, Environment env) {
    StringBuilder o = new StringBuilder();
    o.append("# Benchmarks\n\n");
    o.append("- Machine: ").append(env.cores).append(" cores, ").append(env.cpu).append('\n');
    o.append("- JDK: ").append(env.jdk).append('\n');
    o.append("- Date: ").append(env.date).append('\n');
    o.append("- Command: `").append(env.command).append("` (from the repository root)\n");
    o.append("- Threads: 1 and 2 (this machine has ").append(env.cores)
        .append(" cores, so 2 threads is full load when it has 2).\n");
    o.append("- Ratios are against ConcurrentHashMap (CHM) in the same run. ± is JMH's 99.9% score error.\n");
    if (env.command.contains(" quick")) {
      o.append("- `quick` runs 1 fork with short warm-up and measurement: the errors are wide, so read ratios\n")
          .append("  within about 1.3× of each other as ties; `benchmarks/run full` narrows them.\n");
    }
    o.append('\n');

    o.append("## Targets from the issues\n\n");
    o.append("Why the missed targets are missed, with the experiments and confirmation runs behind each explanation: ")
        .append("[performance.md](performance.md).\n\n");
    o.append("| target | measured | met |\n|---|---|---|\n");
    for (Target t : TARGETS) {
      o.append(t.row(rows, footprint)).append('\n');
    }
    o.append('\n');

    List<Row> maps = rows.stream().filter(r -> r.bench.equals("MapBenchmark")).collect(Collectors.toList());
    if (!maps.isEmpty()) {
      o.append("## Map operations (ops/s, higher is better)\n\n");
      List<String> charts = maps.stream().map(Report::chartName).distinct().sorted().collect(Collectors.toList());
      o.append("Charts (ops/s by thread count): ")
          .append(charts.stream().map(c -> "[" + c + "](img/" + c + ".png)").collect(Collectors.joining(", ")))
          .append("\n\n");
      o.append("Pre-filled Long keys; key streams uniform or scrambled Zipfian (skew 0.99); mix = get/put/remove %.\n")
          .append("Key sets: `sequential` = 0..size-1, under which ConcurrentHashMap's near-identity spread puts every\n")
          .append("key in its own bucket (no collisions at all); `scrambled` = the same indexes through a 64-bit bijective\n")
          .append("mix (like random ids), where every map has ordinary hash collisions. Atoll's hash tables (CHAINED,\n")
          .append("HOPSCOTCH, PROBING, SEGMENTED) index by the folded hash code, as CHM does, until their keys cluster,\n")
          .append("then switch for good to a seeded MurmurHash3 finaliser (against hash flooding); neither key set\n")
          .append("clusters. HASH_TRIE always uses the seeded finaliser, so it sees ordinary collisions on both key sets.\n")
          .append("Where a table has an \"allocated B/op\" column, the run used JMH's `-prof gc` (gc.alloc.rate.norm:\n")
          .append("bytes allocated per operation, averaged over the mix; a measure of work that cache misses do not blur).\n")
          .append("Read-only rows also show two kinds of limit, neither thread-safe for writes: HASHMAP (java.util.HashMap) and\n")
          .append("the layout limits of `LimitMaps`, minimal single-threaded maps with plain reads in the layouts of\n")
          .append("PROBING (LIMIT_OPEN_KV: linear probing over key/value pairs), HOPSCOTCH without hop words\n")
          .append("(LIMIT_OPEN_ENTRIES: linear probing over entries) and HASH_TRIE (LIMIT_HAMT: a 64-way hash trie).\n\n");
      Map<String, List<Row>> groups = maps.stream().collect(Collectors.groupingBy(
          r -> r.params.get("size") + "|" + keySet(r) + "|" + r.params.get("dist") + "|" + r.params.get("mix") + "|"
              + r.threads,
          TreeMap::new, Collectors.toList()));
      Comparator<Row> order = Comparator.<Row>comparingInt(r -> Integer.parseInt(r.params.get("size")))
          .thenComparing(Report::keySet)
          .thenComparing(r -> r.params.get("dist"))
          .thenComparingInt(r -> MIXES.indexOf(r.params.get("mix")))
          .thenComparingInt(r -> r.threads);
      groups.values().stream().sorted(Comparator.comparing(g -> g.get(0), order)).forEach(g -> {
        Row first = g.get(0);
        o.append(String.format(Locale.ROOT, "### size %s, %s%s, mix %s, %d thread%s%n%n", first.params.get("size"),
            first.params.containsKey("keys") ? keySet(first) + " keys, " : "", first.params.get("dist"),
            first.params.get("mix"), first.threads, first.threads > 1 ? "s" : ""));
        table(o, g, "map", true);
      });
    }

    List<Row> others = rows.stream().filter(r -> !r.bench.equals("MapBenchmark")).collect(Collectors.toList());
    if (!others.isEmpty()) {
      o.append("## Snapshots, locks, cache and read-while-writing\n\n");
      o.append("SnapshotBenchmark: `snapshot()` then one write (ns/op, lower is better; allocated B/op from `-prof gc`). ")
          .append("LockBenchmark: lock+unlock of a key (CHM_REENTRANTLOCK never removes a lock, so memory grows with every key ever locked; ")
          .append("CHM_REENTRANTLOCK_CLEANUP removes it when unused, as LockMap does); SuspendLockBenchmark: the same from coroutines ")
          .append("(CHM_MUTEX / CHM_MUTEX_CLEANUP likewise); ")
          .append("CacheBenchmark: get from a 10k-entry bounded cache, Zipfian keys over 100k; ")
          .append("ReadWhileWritingBenchmark: reads of 1M keys while a background thread writes ")
          .append("(HASHMAP: the limit, read with no writer).\n\n");
      Map<String, List<Row>> groups = others.stream().collect(Collectors.groupingBy(
          r -> r.bench + " " + describe(r), TreeMap::new, Collectors.toList()));
      groups.forEach((name, g) -> {
        o.append("### ").append(name).append(" (").append(g.get(0).unit).append(")\n\n");
        table(o, g, "impl", false);
      });
    }

    if (!footprint.isEmpty()) {
      o.append("## Memory per entry (JOL GraphLayout)\n\n");
      o.append("Produced by `dev.atoll.benchmarks.Footprint` in the same run: 1M Long→Long entries, ")
          .append("the whole graph minus the key and value objects.\n\n");
      o.append("| map | bytes per entry | × CHM |\n|---|---:|---:|\n");
      Double chm = footprint.get("CHM");
      footprint.forEach((impl, bytes) -> o.append(String.format(Locale.ROOT, "| %s | %.1f | %s |%n", impl, bytes,
          chm == null ? "" : String.format(Locale.ROOT, "%.2f", bytes / chm))));
      o.append('\n');
    }
    return o.toString();
  }

  private static void table(StringBuilder o, List<Row> g, String first, boolean ratioToChm) {
    boolean lowerIsBetter = g.get(0).unit.endsWith("/op");
    boolean alloc = g.stream().anyMatch(r -> !Double.isNaN(r.alloc));
    Row chm = g.stream().filter(r -> r.impl().equals("CHM")).findFirst().orElse(null);
    o.append("| ").append(first).append(" | ").append(g.get(0).unit).append(" | ± |")
        .append(ratioToChm ? " × CHM |" : "").append(alloc ? " allocated B/op |" : "").append("\n|---|---:|---:|")
        .append(ratioToChm ? "---:|" : "").append(alloc ? "---:|" : "").append('\n');
    g.stream().sorted(Comparator.comparingDouble(r -> lowerIsBetter ? r.score : -r.score)).forEach(r -> {
      o.append("| ").append(r.impl()).append(" | ").append(number(r.score)).append(" | ")
          .append(Double.isNaN(r.error) ? "" : number(r.error)).append(" |");
      if (ratioToChm) {
        o.append(chm == null ? "" : String.format(Locale.ROOT, " %.2f", r.score / chm.score)).append(" |");
      }
      if (alloc) {
        o.append(Double.isNaN(r.alloc) ? "" : " " + number(r.alloc)).append(" |");
      }
      o.append('\n');
    });
    o.append('\n');
  }

  private static String number(double v) {
    return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%,.1f", v);
  }

  static String keySet(Row r) {
    return r.params.getOrDefault("keys", "");
  }

  static String chartName(Row r) {
    return "maps-" + (r.params.containsKey("keys") ? keySet(r) + "-" : "") + r.params.get("dist") + "-" + r.params.get("mix").replace('/', '-') + "-size-" + r.params.get("size");
  }

  /** {@code chart \t series \t category \t ops/s} lines for {@link Charts}. */
  static String chartData(List<Row> rows) {
    return rows.stream().filter(r -> r.bench.equals("MapBenchmark"))
        .map(r -> String.join("\t", chartName(r), r.impl(), r.threads + " thread(s)", Double.toString(r.score)))
        .collect(Collectors.joining("\n", "", "\n"));
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return Objects.requireNonNullElse(System.getProperty("os.arch"), "unknown") + " (no /proc/cpuinfo)";
    }
  }
}
