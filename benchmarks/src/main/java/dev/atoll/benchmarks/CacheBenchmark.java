package dev.atoll.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.atoll.lock.LruLockMap;
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
 * for LruLockMap's get. Caffeine is the peer of Atoll's LruLockMap.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class CacheBenchmark {
  @Param({"CAFFEINE", "LRU_LOCK_MAP"})
  public String impl;

  private Cache<Long, Long> caffeine;
  private LruLockMap<Long, Long> lru;

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
    lru = new LruLockMap<>(10_000);
    for (long i = 0; i < 10_000; i++) {
      if (impl.equals("CAFFEINE")) {
        caffeine.put(i, i);
      } else {
        lru.put(i, i);
      }
    }
  }

  /** One get; a miss inserts the key. */
  @Benchmark
  public Long get(Keys keys) {
    Long key = keys.keys[keys.next++ & (KeyStreams.LENGTH - 1)];
    if (impl.equals("LRU_LOCK_MAP")) {
      Long v = lru.get(key);
      if (v == null) {
        lru.putIfAbsent(key, key);
      }
      return v;
    }
    Long v = caffeine.getIfPresent(key);
    if (v == null) {
      caffeine.put(key, key);
    }
    return v;
  }
}
