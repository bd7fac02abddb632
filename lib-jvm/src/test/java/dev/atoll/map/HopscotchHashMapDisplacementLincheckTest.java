package dev.atoll.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.atoll.internal.Hashing;
import dev.atoll.testkit.MapLincheck;
import java.util.HashMap;
import java.util.Map;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lincheck on a table laid out so that inserts must displace: with a known hash seed, H keys are
 * placed one per home bucket 0..H-1 of a 64-slot table (H = 16, the neighbourhood size), filling
 * the neighbourhood of home 0. Adding a key whose home is 0 then probes to slot H and hops it back
 * by moving the entry of home 1 (the key {@code C} of the scenarios) to slot H, and the next one moves a filler; so {@code get(C)},
 * {@code remove(C)} or {@code put(C, v)} race with the displacement of C. (The shared
 * {@link HopscotchHashMapLincheckTest} uses a small table, where no insert ever displaces.)
 */
@Param(name = "key", gen = IntGen.class, conf = "0:2")
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class HopscotchHashMapDisplacementLincheckTest {
  private static final int SEED = 0x5EED_1234;
  /** The neighbourhood size of HopscotchHashMap. */
  private static final int H = 16;
  /** Scenario keys: A and B (home 0, absent at first), C (home 1, present), D (home 0, present). */
  private static final int[] KEYS = new int[4];
  /** Keys for homes 2..H-1, present, never touched by the scenarios. */
  private static final int[] FILLERS = new int[H - 2];

  static {
    int[] byHome = new int[H];
    int[] second = new int[1];
    boolean[] found = new boolean[H];
    int foundCount = 0;
    int extraHome0 = 0;
    for (int k = 1; foundCount < H || extraHome0 < 2; k++) {
      int home = Hashing.spread(Hashing.fold(k), SEED) & 63;
      if (home >= H) {
        continue;
      }
      if (!found[home]) {
        found[home] = true;
        byHome[home] = k;
        foundCount++;
      } else if (home == 0 && extraHome0 < 2) {
        if (extraHome0 == 0) {
          second[0] = k;
        } else {
          KEYS[1] = k;
        }
        extraHome0++;
      }
    }
    KEYS[0] = second[0];
    KEYS[2] = byHome[1];
    KEYS[3] = byHome[0];
    System.arraycopy(byHome, 2, FILLERS, 0, H - 2);
  }

  private static void fill(Map<Integer, Integer> m) {
    m.put(KEYS[3], 1); // D at slot 0
    m.put(KEYS[2], 1); // C at slot 1
    for (int f : FILLERS) {
      m.put(f, 0);
    }
  }

  private final HopscotchHashMap<Integer, Integer> map;

  public HopscotchHashMapDisplacementLincheckTest() {
    map = new HopscotchHashMap<>(40, SEED); // 64 slots; 14..18 entries stay inside the hysteresis band
    fill(map);
  }

  @Operation
  public Integer get(@Param(name = "key") int key) {
    return map.get(KEYS[key]);
  }

  @Operation
  public Integer remove(@Param(name = "key") int key) {
    return map.remove(KEYS[key]);
  }

  @Operation
  public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
    return map.putIfAbsent(KEYS[key], value);
  }

  @Test
  void theLayoutForcesDisplacement() {
    HopscotchHashMap<Integer, Integer> m = new HopscotchHashMapDisplacementLincheckTest().map;
    assertEquals(64, m.tableLength());
    assertEquals(0, m.slotOf(KEYS[3]));
    assertEquals(1, m.slotOf(KEYS[2]));
    assertNull(m.put(KEYS[0], 7));
    assertEquals(H, m.slotOf(KEYS[2]), "C was displaced from slot 1 to slot H");
    assertEquals(1, m.slotOf(KEYS[0]));
    assertNull(m.put(KEYS[1], 8));
    assertEquals(2, m.slotOf(KEYS[1]), "B took the slot of a displaced filler");
    assertEquals(H + 2, m.size());
    assertEquals(64, m.tableLength());
  }

  // Both Lincheck runs are long on two cores; they run with -Pstress.
  @Test
  @Tag("stress")
  void modelChecking() {
    MapLincheck.modelChecking(MapLincheck.defaultIterations())
        .sequentialSpecification(Spec.class)
        .check(getClass());
  }

  @Test
  @Tag("stress")
  void stress() {
    MapLincheck.stress(MapLincheck.defaultIterations())
        .sequentialSpecification(Spec.class)
        .check(getClass());
  }

  /** The sequential specification: a HashMap with the same initial entries. */
  public static final class Spec {
    private final HashMap<Integer, Integer> map = new HashMap<>();

    public Spec() {
      fill(map);
    }

    public Integer get(int key) {
      return map.get(KEYS[key]);
    }

    public Integer remove(int key) {
      return map.remove(KEYS[key]);
    }

    public Integer putIfAbsent(int key, int value) {
      return map.putIfAbsent(KEYS[key], value);
    }
  }
}
