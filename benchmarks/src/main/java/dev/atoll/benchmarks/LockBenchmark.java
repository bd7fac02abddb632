package dev.atoll.benchmarks;

import com.google.common.util.concurrent.Striped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Lock and unlock of one key per invocation. {@code uncontended}: each thread cycles over its own
 * 1,024 keys; {@code contended}: every thread uses the same key. Peers: the
 * {@code ConcurrentHashMap<K, ReentrantLock>} pattern and Guava {@code Striped<Lock>}; the LockMap
 * issue adds its implementation as another {@code impl} value.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LockBenchmark {
  /** The shared locks. */
  @State(Scope.Benchmark)
  public static class Locks {
    @Param({"CHM_REENTRANTLOCK", "GUAVA_STRIPED"})
    public String impl;

    @Param({"uncontended", "contended"})
    public String contention;

    final ConcurrentHashMap<Long, ReentrantLock> chm = new ConcurrentHashMap<>();
    final Striped<Lock> striped = Striped.lock(64);
    final AtomicInteger threads = new AtomicInteger();

    Lock lockFor(Long key) {
      return impl.equals("CHM_REENTRANTLOCK") ? chm.computeIfAbsent(key, k -> new ReentrantLock()) : striped.get(key);
    }
  }

  /** This thread's keys. */
  @State(Scope.Thread)
  public static class Keys {
    Long[] keys = new Long[1024];
    int next;

    @Setup
    public void keys(Locks locks) {
      int t = locks.threads.getAndIncrement();
      for (int i = 0; i < keys.length; i++) {
        keys[i] = locks.contention.equals("contended") ? 1_000_000L : 1_000_000L * (t + 2) + i;
      }
    }
  }

  /** One lock + unlock. */
  @Benchmark
  public void lockUnlock(Locks locks, Keys keys) {
    Lock lock = locks.lockFor(keys.keys[keys.next++ & 1023]);
    lock.lock();
    lock.unlock();
  }
}
