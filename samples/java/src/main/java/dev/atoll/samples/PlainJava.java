package dev.atoll.samples;

import dev.atoll.lock.Entry;
import dev.atoll.lock.LockMap;
import dev.atoll.map.HashTrieMap;
import dev.atoll.map.ProbingHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Atoll from plain Java, with no Kotlin on the class path: a parallel word count with
 * {@link ProbingHashMap#merge}, per-key locked stock reservations with {@link LockMap}, and a
 * consistent report from a {@link HashTrieMap} snapshot while a writer keeps going.
 *
 * <p>Run: {@code mvn -B -q -pl samples/java -am -DskipTests verify exec:java
 * -Dexec.mainClass=dev.atoll.samples.PlainJava}
 */
public final class PlainJava {
  private PlainJava() {}

  /** Runs the three parts and prints what they found. */
  public static void main(String[] args) throws Exception {
    Map<String, Integer> counts = wordCount(SAMPLE_TEXT, 4);
    System.out.println("word count: 'the' x" + counts.get("the") + ", 'fox' x" + counts.get("fox")
        + ", " + counts.size() + " distinct words");
    Reservations r = reserveStock(8, 10_000);
    System.out.println("stock: " + r.reserved + " reserved, " + r.refused + " refused (sold out), "
        + r.left + " left; 800 items were in stock");
    TokenReport t = tokenReport(100_000);
    System.out.println("snapshots: " + t.snapshots + " taken while a token moved 100,000 times; each saw "
        + t.minTokens + " to " + t.maxTokens + " tokens (never 0: every snapshot is one instant)");
  }

  static final String SAMPLE_TEXT = String.join("\n",
      "the quick brown fox jumps over the lazy dog",
      "the dog sleeps and the fox runs",
      "a fox a dog and the end");

  /**
   * Counts the words of {@code text} (repeated 1,000 times) on {@code threads} threads, each
   * merging into one shared map: {@code merge} is atomic per key, so no count is lost.
   */
  static Map<String, Integer> wordCount(String text, int threads) throws Exception {
    ProbingHashMap<String, Integer> counts = new ProbingHashMap<>();
    String[] lines = text.split("\n");
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        work.add(pool.submit(() -> {
          for (int round = first; round < 1_000; round += threads) {
            for (String line : lines) {
              for (String word : line.split(" ")) {
                counts.merge(word, 1, Integer::sum);
              }
            }
          }
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return counts;
  }

  /** What {@link #reserveStock} did. */
  record Reservations(int reserved, int refused, int left) {}

  /**
   * 100 items with 8 in stock each; {@code threads} threads make {@code attempts} random
   * reservations in all. Each reservation is a read-check-write under the item's lock, so stock
   * never goes negative and no reservation is lost. An {@link Entry} is released by
   * try-with-resources even if the body throws.
   */
  static Reservations reserveStock(int threads, int attempts) throws Exception {
    LockMap<String, Integer> stock = new LockMap<>();
    for (int i = 0; i < 100; i++) {
      stock.put("item-" + i, 8);
    }
    AtomicInteger reserved = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long seed = t;
        work.add(pool.submit(() -> {
          java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
          for (int i = 0; i < attempts / threads; i++) {
            try (Entry<String, Integer> item = stock.entry("item-" + rnd.nextInt(100))) {
              int have = item.get();
              if (have > 0) {
                item.set(have - 1);
                reserved.incrementAndGet();
              } else {
                refused.incrementAndGet();
              }
            }
          }
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    int left = stock.values().stream().mapToInt(Integer::intValue).sum();
    return new Reservations(reserved.get(), refused.get(), left);
  }

  /** What {@link #tokenReport} saw. */
  record TokenReport(int snapshots, int minTokens, int maxTokens) {}

  /**
   * A writer moves one token along keys 0, 1, 2, ...: it puts the next key, then removes the
   * previous one, so the map always holds one or two tokens. Meanwhile the main thread counts the
   * tokens in {@link HashTrieMap#readOnlySnapshot()}s: each snapshot is one instant, so it never
   * sees zero tokens (a weakly consistent iterator, as ConcurrentHashMap's, can miss both: it may
   * pass the next key's slot before the put and reach the previous key's after the remove).
   */
  static TokenReport tokenReport(int moves) throws InterruptedException {
    HashTrieMap<Integer, Boolean> tokens = new HashTrieMap<>();
    tokens.put(0, true);
    Thread writer = new Thread(() -> {
      for (int i = 0; i < moves; i++) {
        tokens.put(i + 1, true);
        tokens.remove(i);
      }
    }, "token-mover");
    writer.start();
    int snapshots = 0;
    int min = Integer.MAX_VALUE;
    int max = 0;
    while (writer.isAlive() || snapshots == 0) {
      int n = tokens.readOnlySnapshot().size();
      min = Math.min(min, n);
      max = Math.max(max, n);
      snapshots++;
    }
    writer.join();
    return new TokenReport(snapshots, min, max);
  }
}
