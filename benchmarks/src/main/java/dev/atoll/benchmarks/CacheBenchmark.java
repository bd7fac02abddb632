package dev.atoll.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
 * Gets from a bounded cache of 10,000 entries, keys Zipfian over 100,000 (misses insert): the peer
 * for LruLockMap's get. Caffeine is the peer; the LockMap issue adds LruLockMap.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class CacheBenchmark {
  @Param({"CAFFEINE"})
  public String impl;

  private Cache<Long, Long> caffeine;

  /** This thread's keys. */
  @State(Scope.Thread)
  public static class Keys {
    Long[] keys;
    int next;

    @Setup
    public void keys() {
      long[] raw = KeyStreams.keys("zipf", 100_000, Thread.currentThread().getId());
      keys = new Long[raw.length];
      for (int i = 0; i < raw.length; i++) {
        keys[i] = Long.valueOf(raw[i]);
      }
    }
  }

  @Setup
  public void fill() {
    caffeine = Caffeine.newBuilder().maximumSize(10_000).build();
    for (long i = 0; i < 10_000; i++) {
      caffeine.put(i, i);
    }
  }

  /** One get; a miss inserts the key. */
  @Benchmark
  public Long get(Keys keys) {
    Long key = keys.keys[keys.next++ & (KeyStreams.LENGTH - 1)];
    Long v = caffeine.getIfPresent(key);
    if (v == null) {
      caffeine.put(key, key);
    }
    return v;
  }
}
