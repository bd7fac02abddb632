package dev.atoll.benchmarks;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Placeholder smoke benchmark until the harness issue lands: a ConcurrentHashMap get. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PeersGetBenchmark {
  private final ConcurrentHashMap<Long, Long> map = new ConcurrentHashMap<>();
  private long next;

  /** Fills the map. */
  @Setup
  public void fill() {
    for (long i = 0; i < 1024; i++) {
      map.put(i, i);
    }
  }

  /** One get. */
  @Benchmark
  public Long get() {
    return map.get((next++) & 1023);
  }
}
