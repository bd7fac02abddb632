package dev.atoll.benchmarks;

import dev.atoll.lock.LockMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kotlinx.coroutines.sync.Mutex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Suspending lock and unlock of one key per operation, from coroutines ({@link SuspendLocks} runs a
 * batch of them per invocation). {@code uncontended}: each thread cycles over its own 1,024 keys;
 * {@code contended}: every thread uses the same key. Peers: a {@code ConcurrentHashMap<K, Mutex>} of
 * kotlinx.coroutines {@link Mutex}es as usually written ({@code CHM_MUTEX}: never removed, one mutex
 * stays behind per key ever locked) and with the clean-up that matches LockMap's no-growth guarantee
 * ({@code CHM_MUTEX_CLEANUP}, see {@link SuspendLocks#mutexMapCleanup}); Atoll:
 * {@code LockMap.withLock} ({@code LOCK_MAP}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SuspendLockBenchmark {
  /** The shared locks. */
  @State(Scope.Benchmark)
  public static class Locks {
    @Param({"CHM_MUTEX", "CHM_MUTEX_CLEANUP", "LOCK_MAP"})
    public String impl;

    @Param({"uncontended", "contended"})
    public String contention;

    final ConcurrentHashMap<Long, Mutex> mutexes = new ConcurrentHashMap<>();
    final ConcurrentHashMap<Long, SuspendLocks.CountedMutex> counted = new ConcurrentHashMap<>();
    final LockMap<Long, Long> lockMap = new LockMap<>();
    final AtomicInteger threads = new AtomicInteger();
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

  /** {@link SuspendLocks#BATCH} suspending lock + unlock cycles. */
  @Benchmark
  @OperationsPerInvocation(SuspendLocks.BATCH)
  public int withLock(Locks locks, Keys keys) {
    switch (locks.impl) {
      case "LOCK_MAP":
        keys.next = SuspendLocks.lockMap(locks.lockMap, keys.keys, keys.next);
        break;
      case "CHM_MUTEX_CLEANUP":
        keys.next = SuspendLocks.mutexMapCleanup(locks.counted, keys.keys, keys.next);
        break;
      default:
        keys.next = SuspendLocks.mutexMap(locks.mutexes, keys.keys, keys.next);
    }
    return keys.next;
  }
}
