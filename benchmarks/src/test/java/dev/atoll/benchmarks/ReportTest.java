package dev.atoll.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report generator on a fixed JMH JSON fixture: tables, ratios, targets and environment. */
class ReportTest {
  private static final Report.Environment ENV =
      new Report.Environment(2, "Test CPU @ 1 GHz", "OpenJDK 17.0.0", "2026-01-01 00:00 UTC", "benchmarks/run quick");

  private static List<Report.Row> fixture() throws IOException {
    try (InputStream in = ReportTest.class.getResourceAsStream("/jmh-fixture.json")) {
      return Report.parseJmhJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void parsesEveryResultIncludingNaNErrors() throws IOException {
    List<Report.Row> rows = fixture();
    assertEquals(10, rows.size());
    Report.Row first = rows.get(0);
    assertEquals("MapBenchmark", first.bench());
    assertEquals("op", first.method());
    assertEquals("CHM", first.impl());
    assertEquals(1_000_000.0, first.score());
    assertTrue(Double.isNaN(rows.get(2).error()), "HOPSCOTCH's error is the string NaN in the fixture");
  }

  @Test
  void rendersEnvironmentTablesRatiosAndTargets() throws IOException {
    String md = Report.render(fixture(), Map.of("CHM", 44.4, "HOPSCOTCH", 30.0), ENV);
    assertTrue(md.contains("- Machine: 2 cores, Test CPU @ 1 GHz"), md);
    assertTrue(md.contains("- JDK: OpenJDK 17.0.0"), md);
    assertTrue(md.contains("- Command: `benchmarks/run quick`"), md);
    // a workload table sorted by score, with the ratio to CHM
    assertTrue(md.contains("### size 1000000, uniform, mix 100/0/0, 1 thread\n"), md);
    assertTrue(md.contains("| HOPSCOTCH | 1,200,000 |  | 1.20 |\n| CHM | 1,000,000 | 10,000 | 1.00 |\n"
        + "| CHAINED | 950,000 | 9,500 | 0.95 |"), md);
    // targets: worst ratio over both thread counts (0.90 at 2 threads for CHAINED, 0.95 for HOPSCOTCH)
    assertTrue(md.contains("| #5 ChainedHashMap reads ≥ 0.9× CHM (sequential keys) | worst 0.90× of 2 configs "
        + "(dist=uniform mix=100/0/0 size=1000000 t2) | yes |"), md);
    assertTrue(md.contains("| #5 HopscotchHashMap reads ≥ 1.0× CHM (sequential keys) | worst 0.95× of 2 configs "
        + "(dist=uniform mix=100/0/0 size=1000000 t2) | **no** |"), md);
    assertTrue(md.contains("| #5 HopscotchHashMap memory < CHM | 30.0 vs 44.4 B/entry (0.68×) | yes |"), md);
    assertTrue(md.contains("| #6 ProbingHashMap reads ≥ 1.0× CHM (scrambled keys) | not measured in this run | — |"), md);
    assertTrue(md.contains("| #7 HashTrieMap snapshot+write at 1M ≤ 1.5× its cost at 10k "
        + "| 1400 ns at 1M vs 1000 ns at 10k (1.40×) | yes |"), md);
    assertTrue(md.contains("| #9 (for reference) LockMap entry+close vs CHM of ReentrantLock that never removes a lock "
        + "| worst 1.20× of 1 configs"), md);
    assertTrue(md.contains("| #9 LockMap entry+close ≥ 1.5× CHM of ReentrantLock with clean-up (no memory per idle key, as LockMap) "
        + "| not measured in this run | — |"), md);
    // time-per-op tables list the fastest (lowest) first
    assertTrue(md.contains("| HASH_TRIE | 1,000 | 50.0 |"), md);
    assertTrue(md.contains("| HOPSCOTCH | 30.0 | 0.68 |"), md);
  }

  @Test
  void mapTargetsAreCheckedPerKeySet() {
    Map<String, String> seq = Map.of("impl", "CHM", "keys", "sequential", "dist", "uniform", "mix", "100/0/0", "size", "1000000");
    List<Report.Row> rows = List.of(
        new Report.Row("MapBenchmark", "op", seq, 1, 100, 1, "ops/s"),
        new Report.Row("MapBenchmark", "op", with(seq, "impl", "CHAINED"), 1, 60, 1, "ops/s"),
        new Report.Row("MapBenchmark", "op", with(seq, "keys", "scrambled"), 1, 100, 1, "ops/s"),
        new Report.Row("MapBenchmark", "op", with(with(seq, "keys", "scrambled"), "impl", "CHAINED"), 1, 95, 1, "ops/s"));
    String md = Report.render(rows, Map.of(), ENV);
    assertTrue(md.contains("| #5 ChainedHashMap reads ≥ 0.9× CHM (sequential keys) | worst 0.60× of 1 configs"), md);
    assertTrue(md.contains("| #5 ChainedHashMap reads ≥ 0.9× CHM (scrambled keys) | worst 0.95× of 1 configs"), md);
    assertTrue(md.contains("### size 1000000, scrambled keys, uniform, mix 100/0/0, 1 thread"), md);
  }

  @Test
  void snapshotTargetSubtractsTheWriteAlone() {
    List<Report.Row> rows = List.of(
        new Report.Row("SnapshotBenchmark", "snapshotThenWrite", Map.of("impl", "HASH_TRIE", "size", "10000"), 1, 300, 1, "ns/op"),
        new Report.Row("SnapshotBenchmark", "writeOnly", Map.of("impl", "HASH_TRIE", "size", "10000"), 1, 100, 1, "ns/op"),
        new Report.Row("SnapshotBenchmark", "snapshotThenWrite", Map.of("impl", "HASH_TRIE", "size", "1000000"), 1, 900, 1, "ns/op"),
        new Report.Row("SnapshotBenchmark", "writeOnly", Map.of("impl", "HASH_TRIE", "size", "1000000"), 1, 650, 1, "ns/op"));
    String md = Report.render(rows, Map.of(), ENV);
    assertTrue(md.contains("snapshot's own cost 250 ns at 1M vs 200 ns at 10k (1.25×); snapshot+write 900 vs 300 ns, "
        + "write alone 650 vs 100 ns | yes |"), md);
  }

  @Test
  void allocationPerOperationIsParsedAndShown() {
    String json = "[{\"benchmark\":\"dev.atoll.benchmarks.SnapshotBenchmark.writeOnly\",\"threads\":1,"
        + "\"params\":{\"impl\":\"HASH_TRIE\",\"size\":\"10000\"},"
        + "\"primaryMetric\":{\"score\":100.0,\"scoreError\":1.0,\"scoreUnit\":\"ns/op\"},"
        + "\"secondaryMetrics\":{\"gc.alloc.rate\":{\"score\":900.0},\"gc.alloc.rate.norm\":{\"score\":600.5}}}]";
    List<Report.Row> parsed = Report.parseJmhJson(json);
    assertEquals(600.5, parsed.get(0).alloc());
    assertTrue(Double.isNaN(new Report.Row("B", "m", Map.of(), 1, 1, 1, "ops/s").alloc()), "not profiled: NaN");

    List<Report.Row> rows = List.of(
        new Report.Row("SnapshotBenchmark", "snapshotThenWrite", Map.of("impl", "HASH_TRIE", "size", "10000"), 1, 300, 1, "ns/op", 1300),
        parsed.get(0),
        new Report.Row("SnapshotBenchmark", "snapshotThenWrite", Map.of("impl", "HASH_TRIE", "size", "1000000"), 1, 900, 1, "ns/op", 1900),
        new Report.Row("SnapshotBenchmark", "writeOnly", Map.of("impl", "HASH_TRIE", "size", "1000000"), 1, 650, 1, "ns/op", 600.5));
    String md = Report.render(rows, Map.of(), ENV);
    assertTrue(md.contains("bytes allocated by the snapshot (the nodes it copies) 1300 at 1M vs 700 at 10k (1.86×)"), md);
    assertTrue(md.contains("| impl | ns/op | ± | allocated B/op |"), md);
    assertTrue(md.contains("| HASH_TRIE | 100 | 1.0 | 601 |"), md);
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    Map<String, String> c = new java.util.HashMap<>(m);
    c.put(k, v);
    return c;
  }

  @Test
  void chartDataHasOneLinePerMapResult() throws IOException {
    String tsv = Report.chartData(fixture());
    assertEquals(6, tsv.lines().count());
    assertTrue(tsv.contains("maps-uniform-100-0-0-size-1000000\tCHAINED\t2 thread(s)\t1800000.0"), tsv);
  }

  @Test
  void footprintLinesParse() {
    assertEquals(Map.of("CHM", 44.4, "NBHM", 29.2), Report.readFootprint(List.of("CHM\t44.4", "NBHM\t29.2", "")));
  }
}
