package dev.atoll.benchmarks;

import dev.atoll.map.HashTrieMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of {@code snapshot()} plus the first write after it, at two sizes: constant-time
 * snapshots cost the same at 10k and 1M entries. Scala's TrieMap {@code snapshot()} is the peer.
 * {@link #writeOnly} is the same write without the snapshot: at 1M entries a write to a random
 * place misses the CPU caches and costs more than at 10k for any map, so the cost of the snapshot
 * itself is {@code snapshotThenWrite - writeOnly} at each size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class SnapshotBenchmark {
  @Param({"10000", "1000000"})
  public int size;

  @Param({"HASH_TRIE", "SCALA_TRIEMAP"})
  public String impl;

  private HashTrieMap<Long, Long> trie;
  private scala.collection.concurrent.TrieMap<Long, Long> scalaTrie;
  private long next;

  @Setup
  public void fill() {
    trie = new HashTrieMap<>();
    scalaTrie = new scala.collection.concurrent.TrieMap<>();
    for (long i = 0; i < size; i++) {
      if (impl.equals("HASH_TRIE")) {
        trie.put(i, i);
      } else {
        scalaTrie.put(i, i);
      }
    }
  }

  /** Takes a snapshot, then writes one key of the original (the write pays the lazy copy). */
  @Benchmark
  public Object snapshotThenWrite() {
    Long key = (next++) % size;
    if (impl.equals("HASH_TRIE")) {
      HashTrieMap<Long, Long> s = trie.snapshot();
      trie.put(key, key);
      return s;
    }
    scala.collection.concurrent.TrieMap<Long, Long> s = scalaTrie.snapshot();
    scalaTrie.put(key, key);
    return s;
  }

  /** The same write as {@link #snapshotThenWrite}, without the snapshot: the baseline. */
  @Benchmark
  public Object writeOnly() {
    Long key = (next++) % size;
    if (impl.equals("HASH_TRIE")) {
      return trie.put(key, key);
    }
    return scalaTrie.put(key, key);
  }
}
