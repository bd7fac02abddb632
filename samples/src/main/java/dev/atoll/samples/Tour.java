package dev.atoll.samples;

import dev.atoll.map.HashTrieMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * The guided tour that the README's demo command runs: it exercises each Atoll structure briefly and
 * prints what it did. Structures join the tour as they land; until then it shows the reference
 * peer, {@link ConcurrentHashMap}, doing the same work.
 */
public final class Tour {
  private Tour() {}

  /** Runs the tour. */
  public static void main(String[] args) throws Exception {
    System.out.println("Atoll tour (JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " cores)");
    System.out.println();
    mapTour("ConcurrentHashMap (reference peer)", ConcurrentHashMap::new);
    mapTour("HashTrieMap", HashTrieMap::new);
    snapshotTour();
  }

  /** HashTrieMap's O(1) snapshots: a consistent report while a writer keeps moving money. */
  static void snapshotTour() throws InterruptedException {
    HashTrieMap<Integer, Long> balances = new HashTrieMap<>();
    for (int i = 0; i < 100; i++) {
      balances.put(i, 1_000L);
    }
    Thread writer = new Thread(() -> {
      java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
      for (int i = 0; i < 200_000; i++) {
        int from = rnd.nextInt(100);
        int to = rnd.nextInt(100);
        // two separate writes: the total is only momentarily off by the amount in flight
        balances.merge(from, -1L, Long::sum);
        balances.merge(to, 1L, Long::sum);
      }
    });
    writer.start();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    int snapshots = 0;
    while (writer.isAlive()) {
      Map<Integer, Long> cut = balances.readOnlySnapshot();
      long total = cut.values().stream().mapToLong(Long::longValue).sum();
      min = Math.min(min, total);
      max = Math.max(max, total);
      snapshots++;
    }
    writer.join();
    System.out.printf("%-40s %,d snapshots taken during 200,000 transfers: totals between %,d and %,d "
        + "(100,000 exactly, or 1 below with one transfer in flight)%n", "HashTrieMap snapshots", snapshots, min, max);
  }

  /** Word count with merge, concurrent increments on two threads, and a rough ops/s figure. */
  static void mapTour(String name, Supplier<ConcurrentMap<String, Integer>> factory) throws InterruptedException {
    ConcurrentMap<String, Integer> words = factory.get();
    String text = "the quick brown fox jumps over the lazy dog the end";
    for (String w : text.split(" ")) {
      words.merge(w, 1, Integer::sum);
    }
    ConcurrentMap<String, Integer> counters = factory.get();
    Runnable bump = () -> {
      for (int i = 0; i < 100_000; i++) {
        counters.merge("k" + (i & 63), 1, Integer::sum);
      }
    };
    long start = System.nanoTime();
    Thread a = new Thread(bump);
    Thread b = new Thread(bump);
    a.start();
    b.start();
    a.join();
    b.join();
    long nanos = System.nanoTime() - start;
    int total = counters.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf("%-40s word 'the' counted %d times; 2 threads x 100,000 merges -> total %,d (expected 200,000)%n",
        name, words.get("the"), total);
    System.out.printf("%-40s rough demo figure, not a benchmark: %,.0f merges/s%n", "", 200_000 / (nanos / 1e9));
  }
}
