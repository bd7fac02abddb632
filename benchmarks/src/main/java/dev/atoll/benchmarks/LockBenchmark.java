package dev.atoll.benchmarks;

import com.google.common.util.concurrent.Striped;
import dev.atoll.lock.Entry;
import dev.atoll.lock.LockMap;
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
 * {@code ConcurrentHashMap<K, ReentrantLock>} pattern as usually written ({@code CHM_REENTRANTLOCK}:
 * {@code computeIfAbsent}, never removed, so one lock object stays behind for every key ever
 * locked), the same pattern with the clean-up that gives LockMap's guarantee that a key that is
 * neither held nor waited for costs no memory ({@code CHM_REENTRANTLOCK_CLEANUP}: a use count
 * changed inside {@code compute}/{@code computeIfPresent}, the lock removed when it drops to zero),
 * and Guava {@code Striped<Lock>} (64 stripes: distinct keys may share a lock); Atoll:
 * {@code LockMap.entry(key)} + {@code close()} ({@code LOCK_MAP}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LockBenchmark {
  /** The shared locks. */
  @State(Scope.Benchmark)
  public static class Locks {
    @Param({"CHM_REENTRANTLOCK", "CHM_REENTRANTLOCK_CLEANUP", "GUAVA_STRIPED", "LOCK_MAP"})
    public String impl;

    @Param({"uncontended", "contended"})
    public String contention;

    final ConcurrentHashMap<Long, ReentrantLock> chm = new ConcurrentHashMap<>();
    final ConcurrentHashMap<Long, CountedLock> counted = new ConcurrentHashMap<>();
    final Striped<Lock> striped = Striped.lock(64);
    final LockMap<Long, Long> lockMap = new LockMap<>();
    final AtomicInteger threads = new AtomicInteger();

    Lock lockFor(Long key) {
      return impl.equals("CHM_REENTRANTLOCK") ? chm.computeIfAbsent(key, k -> new ReentrantLock()) : striped.get(key);
    }
  }

  /** A lock with the number of callers that use it; {@code users} changes only inside the map's compute. */
  static final class CountedLock extends ReentrantLock {
    private static final long serialVersionUID = 1L;
    int users;
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
    Long key = keys.keys[keys.next++ & 1023];
    if (locks.impl.equals("LOCK_MAP")) {
      Entry<Long, Long> e = locks.lockMap.entry(key);
      e.close();
      return;
    }
    if (locks.impl.equals("CHM_REENTRANTLOCK_CLEANUP")) {
      CountedLock lock = locks.counted.compute(key, (k, v) -> {
        CountedLock c = v == null ? new CountedLock() : v;
        c.users++;
        return c;
      });
      lock.lock();
      try {
        return;
      } finally {
        lock.unlock();
        locks.counted.computeIfPresent(key, (k, v) -> --v.users == 0 ? null : v);
      }
    }
    Lock lock = locks.lockFor(key);
    lock.lock();
    lock.unlock();
  }
}
