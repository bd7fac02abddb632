package dev.atoll.benchmarks;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One map operation per invocation on a pre-filled map of {@code size} Long keys, with the key and
 * the operation taken from per-thread streams pre-computed in setup. Threads: run with {@code -t 1}
 * and {@code -t 2}. Under write mixes removes and puts draw from the same key space, so the map
 * settles where removals and insertions balance (for 50/25/25, about half full) and stays there.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MapBenchmark {
  /** The shared map. */
  @State(Scope.Benchmark)
  public static class Shared {
    @Param({"CHM", "NBHM", "SCALA_TRIEMAP", "RWLOCK_HASHMAP", "HASHMAP", "CHAINED", "HOPSCOTCH", "PROBING", "SEGMENTED", "HASH_TRIE",
        "LIMIT_OPEN_KV", "LIMIT_OPEN_ENTRIES", "LIMIT_HAMT"})
    public String impl;

    @Param({"1000000"})
    public int size;

    @Param({"uniform", "zipf"})
    public String dist;

    @Param({"100/0/0", "95/4/1", "50/25/25"})
    public String mix;

    /** The key set: {@code 0..size-1}, or those indexes scrambled over all 64 bits (see KeyStreams). */
    @Param({"sequential", "scrambled"})
    public String keys;

    Map<Long, Long> map;
    final AtomicInteger threadSeeds = new AtomicInteger();

    @Setup(Level.Trial)
    public void fill() {
      MapImpl kind = MapImpl.valueOf(impl);
      if (!kind.threadSafe() && !mix.startsWith("100/")) {
        throw new IllegalStateException(impl + " (a limit) is not thread-safe: read-only mix only");
      }
      map = kind.create();
      for (long i = 0; i < size; i++) {
        long k = KeyStreams.key(keys, i);
        map.put(k, k); // two Long instances: key and value
      }
    }
  }

  /** Each thread's own pre-computed keys and operations. */
  @State(Scope.Thread)
  public static class Stream {
    Long[] keys;
    byte[] ops;
    int next;

    @Setup(Level.Trial)
    public void generate(Shared shared) {
      int t = shared.threadSeeds.getAndIncrement();
      long[] raw = KeyStreams.keys(shared.dist, shared.size, 42 + t);
      keys = new Long[raw.length];
      for (int i = 0; i < raw.length; i++) {
        keys[i] = Long.valueOf(KeyStreams.key(shared.keys, raw[i])); // new instances (beyond the small Long cache): lookups pay equals()
      }
      ops = KeyStreams.ops(shared.mix, 7 + t);
    }
  }

  /** One operation from the mix. */
  @Benchmark
  public Object op(Shared s, Stream st) {
    int i = st.next++ & (KeyStreams.LENGTH - 1);
    Long key = st.keys[i];
    switch (st.ops[i]) {
      case KeyStreams.GET:
        return s.map.get(key);
      case KeyStreams.PUT:
        return s.map.put(key, key);
      default:
        return s.map.remove(key);
    }
  }
}
