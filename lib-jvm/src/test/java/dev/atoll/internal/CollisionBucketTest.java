package dev.atoll.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atoll.testkit.CollidingKey;
import dev.atoll.testkit.Seeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CollisionBucketTest {
  /** Random puts and removes of comparable, opaque and mixed-class keys, against a HashMap model. */
  @Test
  void matchesHashMapModelUnderRandomOperations() {
    long seed = Seeds.next();
    SplittableRandom rnd = new SplittableRandom(seed);
    CollisionBucket<Object, Integer> bucket = CollisionBucket.empty();
    Map<Object, Integer> model = new HashMap<>();
    for (int i = 0; i < 50_000; i++) {
      int id = rnd.nextInt(300);
      Object key;
      switch (rnd.nextInt(3)) {
        case 0: key = new CollidingKey(id); break;
        case 1: key = new CollidingKey.Opaque(id); break;
        default: key = id; // a third class, Comparable
      }
      if (rnd.nextInt(3) == 0) {
        CollisionBucket<Object, Integer> before = bucket;
        bucket = bucket.remove(key);
        if (model.remove(key) == null) {
          assertSame(before, bucket, "removing an absent key returns the same bucket");
        }
      } else {
        bucket = bucket.put(key, i);
        model.put(key, i);
      }
      assertEquals(model.size(), bucket.size(), Seeds.describe(seed));
      Object probe = rnd.nextBoolean() ? new CollidingKey(rnd.nextInt(300)) : new CollidingKey.Opaque(rnd.nextInt(300));
      assertEquals(model.get(probe), bucket.get(probe), Seeds.describe(seed));
    }
    Map<Object, Integer> seen = new HashMap<>();
    bucket.forEach((k, v) -> assertNull(seen.put(k, v)));
    assertEquals(model, seen, Seeds.describe(seed));
  }

  @Test
  void oldVersionsStayIntact() {
    CollisionBucket<CollidingKey, Integer> b = CollisionBucket.empty();
    List<CollisionBucket<CollidingKey, Integer>> versions = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      b = b.put(new CollidingKey(i), i);
      versions.add(b);
    }
    for (int i = 0; i < 1000; i++) {
      b = b.remove(new CollidingKey(i));
    }
    assertTrue(b.isEmpty());
    for (int v = 0; v < 1000; v += 97) {
      assertEquals(v + 1, versions.get(v).size());
      assertEquals(v, versions.get(v).get(new CollidingKey(v)));
      assertNull(versions.get(v).get(new CollidingKey(v + 1)));
    }
  }

  @Test
  void hundredThousandComparableKeysTakeLogarithmicSteps() {
    CollisionBucket<CollidingKey, Integer> b = CollisionBucket.empty();
    for (int i = 0; i < 100_000; i++) {
      b = b.put(new CollidingKey(i), i);
    }
    assertEquals(100_000, b.size());
    for (int i = 0; i < 100_000; i++) {
      assertEquals(i, b.get(new CollidingKey(i)));
    }
  }

  /** Keys of different classes can be equal (lists): the bucket must still find and replace them. */
  @Test
  void equalKeysOfDifferentClassesAreOneKey() {
    CollisionBucket<Object, String> b = CollisionBucket.<Object, String>empty()
        .put(new ArrayList<>(List.of(1, 2)), "array");
    b = b.put(new LinkedList<>(List.of(1, 2)), "linked");
    assertEquals(1, b.size());
    assertEquals("linked", b.get(List.of(1, 2)));
    b = b.remove(new LinkedList<>(List.of(1, 2)));
    assertTrue(b.isEmpty());
  }

  /** compareTo may return 0 for keys that are not equal: both are kept. */
  @Test
  void compareToTiesAreKeptApart() {
    CollisionBucket<Tie, Integer> b = CollisionBucket.empty();
    for (int i = 0; i < 50; i++) {
      b = b.put(new Tie(i % 5, i), i);
    }
    assertEquals(50, b.size());
    for (int i = 0; i < 50; i++) {
      assertEquals(i, b.get(new Tie(i % 5, i)));
    }
    for (int i = 0; i < 50; i += 2) {
      b = b.remove(new Tie(i % 5, i));
    }
    assertEquals(25, b.size());
    assertNull(b.get(new Tie(0, 0)));
    assertEquals(1, b.get(new Tie(1, 1)));
  }

  private static final class Tie implements Comparable<Tie> {
    final int rank;
    final int id;

    Tie(int rank, int id) {
      this.rank = rank;
      this.id = id;
    }

    @Override
    public int compareTo(Tie o) {
      return Integer.compare(rank, o.rank);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tie && ((Tie) o).id == id && ((Tie) o).rank == rank;
    }

    @Override
    public int hashCode() {
      return 7;
    }
  }
}
