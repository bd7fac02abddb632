package dev.atoll.benchmarks;

import dev.atoll.leftright.ReadHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reads of 1M keys while a background writer thread keeps updating the map — the read-replica
 * workload of the left-right map. Two limits: {@code HASHMAP}, an unsynchronised HashMap read with
 * NO writer, and {@code HASHMAP_RACY_WRITER}, an unsynchronised HashMap read while the same
 * background writer replaces values of existing keys in it. The writer only ever replaces values
 * of keys that are present, which changes no node links and never resizes, so the racing reads
 * stay memory-safe (they may see stale values): it is the unsynchronised read under the same
 * memory traffic as the other maps, not a pattern to use. {@code LEFT_RIGHT}: a LeftRightMap whose
 * writer publishes after every 64 writes, read with {@code getOne} through the reading thread's own
 * ReadHandle (kept in the thread's state, as a real reader keeps it).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class ReadWhileWritingBenchmark {
  @Param({"HASHMAP", "HASHMAP_RACY_WRITER", "CHM", "RWLOCK_HASHMAP", "LEFT_RIGHT"})
  public String impl;

  @Param({"1000000"})
  public int size;

  private Map<Long, Long> map;
  private Thread writer;
  private volatile boolean running;

  /** This thread's keys. */
  @State(Scope.Thread)
  public static class Keys {
    Long[] keys;
    int next;
    /** The LEFT_RIGHT reader's own handle, or null. */
    ReadHandle<Long, Long, Void> reader;

    @Setup
    public void keys(ReadWhileWritingBenchmark b) {
      if (b.map instanceof MapImpl.LeftRightAdapter) {
        reader = ((MapImpl.LeftRightAdapter) b.map).newReader();
      }
      long[] raw = KeyStreams.keys("uniform", b.size, Thread.currentThread().getId());
      keys = new Long[raw.length];
      for (int i = 0; i < raw.length; i++) {
        keys[i] = Long.valueOf(raw[i]);
      }
    }
  }

  @Setup(Level.Trial)
  public void start() {
    map = impl.startsWith("HASHMAP") ? new HashMap<>() : MapImpl.valueOf(impl).create();
    for (long i = 0; i < size; i++) {
      map.put(i, i);
    }
    if (map instanceof MapImpl.LeftRightAdapter) {
      ((MapImpl.LeftRightAdapter) map).flush();
    }
    if (!impl.equals("HASHMAP")) {
      running = true;
      writer = new Thread(() -> {
        long i = 0;
        while (running) {
          long k = (i * 0x9E3779B97F4A7C15L >>> 1) % size;
          map.put(k, i++);
        }
      }, "background-writer");
      writer.setDaemon(true);
      writer.start();
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    running = false;
    if (writer != null) {
      writer.join();
    }
  }

  /** One read. */
  @Benchmark
  public Long read(Keys keys) {
    Long key = keys.keys[keys.next++ & (KeyStreams.LENGTH - 1)];
    return keys.reader != null ? keys.reader.getOne(key) : map.get(key);
  }
}
