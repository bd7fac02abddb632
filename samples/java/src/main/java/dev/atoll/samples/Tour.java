package dev.atoll.samples;

import dev.atoll.map.ChainedHashMap;
import dev.atoll.map.HashTrieMap;
import dev.atoll.map.HopscotchHashMap;
import dev.atoll.map.ProbingHashMap;
import dev.atoll.map.SegmentedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * The guided tour that the README's demo command runs: it exercises every Atoll structure briefly,
 * checks what it did, and prints a small table with a rough ops/s figure per structure on this
 * machine (a demo figure from one short run, not a benchmark: see docs/benchmarks.md for those).
 */
public final class Tour {
  private Tour() {}

  /** One line of the closing table. */
  record Line(String structure, String did, String check, double opsPerSecond) {}

  private static final List<Line> LINES = new ArrayList<>();

  /** Runs the tour. */
  public static void main(String[] args) throws Exception {
    System.out.println("Atoll tour (JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
        + " cores)\n");
    mapTour("ConcurrentHashMap (JDK peer)", ConcurrentHashMap::new);
    mapTour("ChainedHashMap", ChainedHashMap::new);
    mapTour("HopscotchHashMap", HopscotchHashMap::new);
    mapTour("ProbingHashMap", ProbingHashMap::new);
    mapTour("SegmentedHashMap", SegmentedHashMap::new);
    mapTour("HashTrieMap", HashTrieMap::new);
    snapshotTour();
    TourLocksAndReplicas.run(LINES);
    printTable();
  }

  static void record(String structure, String did, String check, double opsPerSecond) {
    LINES.add(new Line(structure, did, check, opsPerSecond));
    System.out.printf(Locale.ROOT, "%-30s %s -> %s%n", structure, did, check);
  }

  private static void printTable() {
    System.out.println();
    System.out.println("Rough demo figures on this machine (one short run each; NOT a benchmark, see docs/benchmarks.md):");
    System.out.printf(Locale.ROOT, "%-30s %16s%n", "structure", "ops/s");
    for (Line l : LINES) {
      System.out.printf(Locale.ROOT, "%-30s %,16.0f%n", l.structure(), l.opsPerSecond());
    }
  }

  /**
   * Two threads merge 100,000 times each into 1,000 keys, then the map is emptied: the total must
   * be exactly 200,000 (merge is atomic per key), and the map must be empty again.
   */
  static void mapTour(String name, Supplier<ConcurrentMap<String, Integer>> factory) throws InterruptedException {
    ConcurrentMap<String, Integer> counters = factory.get();
    String[] keys = new String[1_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "key-" + i;
    }
    Runnable bump = () -> {
      for (int i = 0; i < 100_000; i++) {
        counters.merge(keys[(i * 31) % keys.length], 1, Integer::sum);
      }
    };
    long start = System.nanoTime();
    Thread a = new Thread(bump);
    Thread b = new Thread(bump);
    a.start();
    b.start();
    a.join();
    b.join();
    double seconds = (System.nanoTime() - start) / 1e9;
    int total = counters.values().stream().mapToInt(Integer::intValue).sum();
    counters.keySet().removeIf(k -> true);
    record(name, "2 threads x 100,000 merges on 1,000 keys, then remove all",
        "total " + String.format(Locale.ROOT, "%,d", total) + (total == 200_000 ? " (exact)" : " (WRONG: expected 200,000)")
            + (counters.isEmpty() ? ", empty after" : ", NOT EMPTY after"),
        200_000 / seconds);
  }

  /**
   * HashTrieMap's O(1) snapshots: a writer moves one token along the keys (put the next, remove
   * the previous); every snapshot is one instant, so it holds one or two tokens, never zero.
   */
  static void snapshotTour() throws InterruptedException {
    long start = System.nanoTime();
    PlainJava.TokenReport t = PlainJava.tokenReport(200_000);
    double seconds = (System.nanoTime() - start) / 1e9;
    record("HashTrieMap.readOnlySnapshot", String.format(Locale.ROOT,
        "%,d snapshots while a token moved 200,000 times", t.snapshots()),
        "each saw " + t.minTokens() + " to " + t.maxTokens() + " tokens (never 0)", t.snapshots() / seconds);
  }
}
