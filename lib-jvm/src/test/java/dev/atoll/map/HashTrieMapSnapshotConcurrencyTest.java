package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atoll.testkit.Seeds;
import dev.atoll.testkit.Threads;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Snapshot isolation under concurrency: writers keep mutating while other threads take snapshots
 * (read-only, mutable, snapshots of snapshots, plain iteration, forEach, size), and every
 * snapshot must be exactly the map's state at one instant.
 *
 * <p>The invariant that makes this checkable: writer {@code w} owns keys {@code w*M + j},
 * {@code j < KEYS}, and performs steps {@code s = 0, 1, 2, ...} in order; step {@code s} touches
 * key {@code j = s % KEYS} in round {@code r = s / KEYS}: it puts value {@code s}, or, for a
 * "removing" writer in odd rounds, removes the key. So the state of writer {@code w}'s keys after
 * its step {@code s*} is a function of {@code s*} alone (the "expected state"), and a consistent
 * snapshot must show, for every writer, the expected state of some {@code s*}; one checker's
 * successive snapshots must show non-decreasing {@code s*}. A torn snapshot (keys from two
 * different moments) matches no {@code s*}. Writes to mutable snapshots use keys no writer owns
 * and must never reach the map.
 */
class HashTrieMapSnapshotConcurrencyTest {
  private static final int M = 1_000_000;
  private static final int KEYS = 300;

  @Test
  void everySnapshotIsAConsistentCut() {
    run(new HashTrieMap<>(), 2, 2, 1_000);
  }

  /** The same with a poor hash function: deep paths and collision lists (LNodes) everywhere. */
  @Test
  void everySnapshotIsAConsistentCutWithCollidingHashes() {
    run(new HashTrieMap<>(k -> k % 5 + (k / M) * 1_000_003), 2, 2, 300);
  }

  @Test
  @Tag("stress")
  void everySnapshotIsAConsistentCutStress() {
    run(new HashTrieMap<>(k -> k % 5), 4, 4, 2_000);
    run(new HashTrieMap<>(), 4, 4, 20_000);
  }

  /**
   * Threads insert and then remove their own keys, in random orders, while another thread keeps
   * taking snapshots (which freeze the shared nodes and force copying): afterwards the trie has
   * contracted back to an empty root.
   */
  @Test
  void concurrentRemovalUnderSnapshotsContractsTheTrie() {
    long seed = Seeds.next();
    int writers = 3;
    int keys = 20_000;
    HashTrieMap<Integer, Integer> map = new HashTrieMap<>();
    AtomicInteger writing = new AtomicInteger(writers);
    Threads.run(writers + 1, t -> {
      if (t == writers) {
        while (writing.get() > 0) {
          HashTrieMap<Integer, Integer> s = map.snapshot();
          int n = s.size();
          assertTrue(n >= 0 && n <= writers * keys, "size " + n);
          s.put(-1, -1); // a write to the snapshot: copies its root path
        }
        return;
      }
      SplittableRandom rnd = new SplittableRandom(seed + t);
      int[] order = new int[keys];
      for (int i = 0; i < keys; i++) {
        order[i] = t * M + i;
      }
      shuffle(order, rnd);
      for (int k : order) {
        assertNull(map.put(k, k), Seeds.describe(seed));
      }
      shuffle(order, rnd);
      for (int k : order) {
        assertEquals(k, map.remove(k), Seeds.describe(seed));
      }
      writing.decrementAndGet();
    });
    assertTrue(map.isEmpty());
    assertEquals(0, map.slotCount(), "the trie must contract to an empty root, " + Seeds.describe(seed));
    assertEquals(1, map.depth());
  }

  /**
   * Writers that take snapshots themselves, often, on a small trie: every snapshot freezes the
   * shared nodes, so the trie constantly mixes INodes of the current and older generations, and
   * renewals (copying frozen INodes) race with writes on live ones. A renewal that copied a live
   * INode would lose a concurrent write; each thread owns its keys, so every return value is
   * determined and a lost write is caught at once.
   */
  @Test
  void writesRacingWithRenewalAreNotLost() {
    racingWrites(new HashTrieMap<>(), 16);
  }

  /**
   * The same through the lookup cache: with the hash {@code k << 12} all keys share the first two
   * levels, and with about nine keys present the trie keeps splitting into one third-level INode
   * (which writers then start at, from the cache) and contracting back (a removal that starts at
   * the cached INode and tombs it must merge it upwards), while snapshots make the cached INode
   * stale. A write that committed on a stale or detached INode would be lost and caught at once.
   */
  @Test
  void writesThroughTheLookupCacheRacingWithSnapshotsAndContractionAreNotLost() {
    racingWrites(new HashTrieMap<>(k -> k << 12), 3);
  }

  private static void racingWrites(HashTrieMap<Integer, Integer> map, int keys) {
    long seed = Seeds.next();
    int threads = 4;
    int ops = 150_000;
    Threads.run(threads, t -> {
      SplittableRandom rnd = new SplittableRandom(seed + t);
      Map<Integer, Integer> model = new HashMap<>();
      for (int i = 0; i < ops; i++) {
        int key = rnd.nextInt(keys) * threads + t;
        String ctx = "thread " + t + " op " + i + ", " + Seeds.describe(seed);
        switch (rnd.nextInt(8)) {
          case 0:
            map.snapshot();
            break;
          case 1:
          case 2:
            assertEquals(model.remove(key), map.remove(key), ctx);
            break;
          default:
            assertEquals(model.put(key, i), map.put(key, i), ctx);
        }
      }
      for (Map.Entry<Integer, Integer> e : model.entrySet()) {
        assertEquals(e.getValue(), map.get(e.getKey()), Seeds.describe(seed));
      }
    });
  }

  private static void shuffle(int[] a, SplittableRandom rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int x = a[i];
      a[i] = a[j];
      a[j] = x;
    }
  }

  private static void run(HashTrieMap<Integer, Integer> map, int writers, int checkers, int snapshotsPerChecker) {
    long seed = Seeds.next();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger checkersLeft = new AtomicInteger(checkers);
    AtomicLongArray lastStep = new AtomicLongArray(writers);
    Threads.run(writers + checkers, t -> {
      if (t < writers) {
        boolean removing = t % 2 == 1;
        long s = 0;
        while (!stop.get() || s < KEYS) {
          int j = (int) (s % KEYS);
          long round = s / KEYS;
          // the writer owns its keys, so every return value is determined
          Integer before = s < KEYS ? null : (removing && round % 2 == 1) ? null : Integer.valueOf((int) (s - KEYS));
          if (removing && round % 2 == 1) {
            assertEquals((Integer) (int) (s - KEYS), map.remove(t * M + j), "remove at step " + s + ", " + Seeds.describe(seed));
          } else {
            assertEquals(removing ? null : before, map.put(t * M + j, (int) s), "put at step " + s + ", " + Seeds.describe(seed));
          }
          lastStep.set(t, s);
          s++;
        }
        return;
      }
      try {
        SplittableRandom rnd = new SplittableRandom(seed + t);
        int junk = -1 - t * M; // this checker's keys in its own mutable snapshots
        long[] lastCut = new long[writers];
        java.util.Arrays.fill(lastCut, -1);
        for (int i = 0; i < snapshotsPerChecker; i++) {
          int mode = rnd.nextInt(6);
          Map<Integer, Integer> seen = new HashMap<>();
          HashTrieMap<Integer, Integer> mutable = null;
          switch (mode) {
            case 0: // read-only snapshot, iterated twice: identical both times
              Map<Integer, Integer> ro = map.readOnlySnapshot();
              seen.putAll(ro);
              assertEquals(seen, new HashMap<>(ro), "read-only snapshot changed, " + Seeds.describe(seed));
              assertEquals(seen.size(), ro.size(), Seeds.describe(seed));
              break;
            case 1: // plain iteration of the live map is a snapshot too
              for (Map.Entry<Integer, Integer> e : map.entrySet()) {
                assertNull(seen.put(e.getKey(), e.getValue()), "iterator repeated a key, " + Seeds.describe(seed));
              }
              break;
            case 2:
              map.forEach((k, v) -> assertNull(seen.put(k, v), "forEach repeated a key"));
              break;
            case 3: { // mutable snapshot, then a snapshot of it
              mutable = map.snapshot().snapshot();
              seen.putAll(mutable);
              break;
            }
            default: {
              mutable = map.snapshot();
              seen.putAll(mutable);
              assertEquals(seen.size(), mutable.size(), Seeds.describe(seed));
            }
          }
          for (Integer k : seen.keySet()) {
            if (k < 0) {
              fail("a write to a mutable snapshot reached the map: " + k + ", " + Seeds.describe(seed));
            }
          }
          for (int w = 0; w < writers; w++) {
            long cut = consistentCut(seen, w, w % 2 == 1, lastCut[w]);
            if (cut == Long.MIN_VALUE) {
              fail("snapshot (mode " + mode + ") is not a consistent cut for writer " + w + ": " + describe(seen, w)
                  + ", earlier cut " + lastCut[w] + ", " + Seeds.describe(seed));
            }
            lastCut[w] = Math.max(lastCut[w], cut);
          }
          if (mutable != null) {
            // writes to the snapshot change the snapshot only
            Map<Integer, Integer> expected = new HashMap<>(seen);
            for (int x = 0; x < 20; x++) {
              int key = rnd.nextBoolean() ? junk - x : rnd.nextInt(writers) * M + rnd.nextInt(KEYS);
              if (rnd.nextBoolean()) {
                assertEquals(expected.put(key, x), mutable.put(key, x), Seeds.describe(seed));
              } else {
                assertEquals(expected.remove(key), mutable.remove(key), Seeds.describe(seed));
              }
            }
            assertEquals(expected, new HashMap<>(mutable), "mutable snapshot, " + Seeds.describe(seed));
            assertEquals(expected.size(), mutable.size(), Seeds.describe(seed));
          }
        }
      } finally {
        if (checkersLeft.decrementAndGet() == 0) {
          stop.set(true);
        }
      }
    });
    // quiescent: the map holds exactly the writers' final states and nothing a snapshot wrote
    Map<Integer, Integer> all = new HashMap<>(map);
    for (int w = 0; w < writers; w++) {
      Map<Integer, Integer> expected = expectedState(w, w % 2 == 1, lastStep.get(w));
      Map<Integer, Integer> actual = new HashMap<>();
      for (Map.Entry<Integer, Integer> e : all.entrySet()) {
        if (e.getKey() / M == w) {
          actual.put(e.getKey(), e.getValue());
        }
      }
      assertEquals(expected, actual, "final state of writer " + w + ", " + Seeds.describe(seed));
    }
    for (Integer k : all.keySet()) {
      assertTrue(k >= 0, "a write to a mutable snapshot reached the map: " + k);
    }
    assertEquals(all.size(), map.size());
  }

  /**
   * The step {@code s*} whose expected state equals the writer's keys in {@code seen}, searched from
   * {@code max(from, 0)}; Long.MIN_VALUE if there is none.
   */
  private static long consistentCut(Map<Integer, Integer> seen, int w, boolean removing, long from) {
    Map<Integer, Integer> mine = new HashMap<>();
    long maxValue = -1;
    for (Map.Entry<Integer, Integer> e : seen.entrySet()) {
      if (e.getKey() / M == w) {
        mine.put(e.getKey(), e.getValue());
        maxValue = Math.max(maxValue, e.getValue());
      }
    }
    // the cut lies at or after the largest value seen, and at most two rounds later (a removing
    // round can hide the writes of the round before it); never before this checker's last cut
    long lo = Math.max(Math.max(maxValue, from), 0);
    if (mine.isEmpty()) {
      // nothing written yet, or (a removing writer only) the end of a removing round
      return removing || from < 0 ? from : Long.MIN_VALUE;
    }
    for (long s = lo; s <= lo + 2L * KEYS + 1; s++) {
      if (expectedState(w, removing, s).equals(mine)) {
        return s;
      }
    }
    return Long.MIN_VALUE;
  }

  /** The state of writer {@code w}'s keys right after its step {@code last}. */
  private static Map<Integer, Integer> expectedState(int w, boolean removing, long last) {
    Map<Integer, Integer> m = new HashMap<>();
    for (int j = 0; j < KEYS; j++) {
      if (last < j) {
        continue;
      }
      long s = last - ((last - j) % KEYS); // the last step <= last that touched key j
      long round = s / KEYS;
      if (!(removing && round % 2 == 1)) {
        m.put(w * M + j, (int) s);
      }
    }
    return m;
  }

  private static String describe(Map<Integer, Integer> seen, int w) {
    StringBuilder sb = new StringBuilder("[");
    for (int j = 0; j < KEYS; j++) {
      Integer v = seen.get(w * M + j);
      sb.append(v == null ? "-" : v.toString()).append(j + 1 < KEYS ? " " : "]");
    }
    return sb.toString();
  }
}
