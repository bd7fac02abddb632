package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.internal.Sizing;
import dev.atoll.testkit.ConcurrentMapContract;
import dev.atoll.testkit.GuavaMapSuite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link SegmentedHashMap} with many segments (this class) and with one segment ({@link
 * OneSegment}): the shared contract and Guava's suite for both, and the segmentation itself.
 */
class SegmentedHashMapTest extends ConcurrentMapContract {
  @Override
  protected <K, V> ConcurrentMap<K, V> newMap() {
    return new SegmentedHashMap<>(16);
  }

  @Override
  protected long capacityOf(ConcurrentMap<?, ?> map) {
    return ((SegmentedHashMap<?, ?>) map).tableLength();
  }

  @Override
  protected Map<String, Executable> badConstructorCalls() {
    return Map.of(
        "segments", () -> new SegmentedHashMap<String, String>(3),
        "initialCapacity", () -> new SegmentedHashMap<String, String>(4, -1));
  }

  @TestFactory
  Stream<DynamicNode> guavaTestlib() {
    return GuavaMapSuite.tests("SegmentedHashMap 16 segments", () -> new SegmentedHashMap<>(16));
  }

  @Test
  void segmentCountsAreCheckedAndDefaultToTheShardCount() {
    assertEquals(Sizing.defaultShards(), new SegmentedHashMap<>().segmentCount());
    assertEquals(1, new SegmentedHashMap<>(1).segmentCount());
    for (int bad : new int[] {0, -1, 3, 6, Integer.MIN_VALUE}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SegmentedHashMap<>(bad));
      assertTrue(e.getMessage().contains("segments"), e.getMessage());
    }
  }

  @Test
  void keysSpreadOverEverySegment() {
    SegmentedHashMap<Integer, Integer> m = new SegmentedHashMap<>(8);
    long empty = m.tableLength();
    for (int i = 0; i < 10_000; i++) {
      m.put(i, i);
    }
    assertEquals(10_000, m.size());
    // every segment grew: 10,000 entries over 8 segments need more than the minimum everywhere
    assertTrue(m.tableLength() >= 8 * 1024, "total length " + m.tableLength() + ", empty " + empty);
  }

  /**
   * The low bits of the hash code choose the segment, so sequential ids go round the segments
   * and stay sequential inside each one, whose unseeded table then holds them one per slot.
   */
  @Test
  void sequentialKeysGoRoundTheSegmentsAndStayUnseededInEach() {
    SegmentedHashMap<Integer, Integer> m = new SegmentedHashMap<>(8);
    for (int i = 0; i < 80_000; i++) {
      m.put(i, i);
    }
    for (ProbingHashMap<Integer, Integer> s : m.segments()) {
      assertEquals(10_000, s.size(), "sequential keys must fill the segments evenly");
      assertFalse(s.seeded(), "sequential keys never cluster inside a segment");
    }
  }

  /**
   * Multiples of 8 below 2^16 (hash codes whose three low bits are 0, and which folding leaves
   * alone) must still use every one of 8 segments.
   */
  @Test
  void keysThatShareTheirLowBitsStillSpreadOverTheSegments() {
    SegmentedHashMap<Integer, Integer> m = new SegmentedHashMap<>(8);
    for (int i = 0; i < 8_000; i++) {
      m.put(i * 8, i);
    }
    for (ProbingHashMap<Integer, Integer> s : m.segments()) {
      assertTrue(s.size() > 500 && s.size() < 2_000, "segment sizes far from even: " + s.size());
    }
  }

  /** Keys chosen to share a segment all go to it, and that segment must defend itself. */
  @Test
  void keysOfOneSegmentThatClusterSwitchThatSegmentToItsSeed() {
    SegmentedHashMap<Integer, Integer> m = new SegmentedHashMap<>(8);
    List<Integer> added = new ArrayList<>();
    for (int a = 0; added.size() < 5_000; a++) {
      if (m.segmentOf(a << 16 | a) == 0) {
        m.put(a << 16 | a, a); // folds to a << 16: few home slots in that segment's tables
        added.add(a);
      }
    }
    int used = 0;
    for (ProbingHashMap<Integer, Integer> s : m.segments()) {
      if (!s.isEmpty()) {
        used++;
        assertTrue(s.seeded(), "a clustered segment must switch to its seeded spreader");
      }
    }
    assertEquals(1, used);
    assertEquals(5_000, m.size());
    for (int a : added) {
      assertEquals(a, m.get(a << 16 | a));
    }
  }

  @Test
  void removeIfAndInsertOrModify() {
    SegmentedHashMap<String, Integer> m = new SegmentedHashMap<>(4);
    assertNull(m.insertOrModify("a", 1, (k, v) -> v + 1));
    assertEquals(1, m.insertOrModify("a", 1, (k, v) -> v + 1));
    assertEquals(2, m.get("a"));
    assertFalse(m.removeIf("a", v -> v == 1));
    assertTrue(m.removeIf("a", v -> v == 2));
    assertFalse(m.removeIf("a", v -> true));
    assertTrue(m.isEmpty());
    m.put("a", 1);
    assertThrows(NullPointerException.class, () -> m.insertOrModify("a", 5, (k, v) -> null));
    assertEquals(Map.of("a", 1), new HashMap<>(m));
  }

  /** The same contract with a single segment (all keys in one ProbingHashMap). */
  @Nested
  class OneSegment extends ConcurrentMapContract {
    @Override
    protected <K, V> ConcurrentMap<K, V> newMap() {
      return new SegmentedHashMap<>(1);
    }

    @Override
    protected long capacityOf(ConcurrentMap<?, ?> map) {
      return ((SegmentedHashMap<?, ?>) map).tableLength();
    }

    @TestFactory
    Stream<DynamicNode> guavaTestlib() {
      return GuavaMapSuite.tests("SegmentedHashMap 1 segment", () -> new SegmentedHashMap<>(1));
    }
  }
}
