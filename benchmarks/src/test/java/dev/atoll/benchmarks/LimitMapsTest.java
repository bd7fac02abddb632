package dev.atoll.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The read limits must be maps that answer right, or the limits they measure mean nothing. */
class LimitMapsTest {
  @ParameterizedTest
  @EnumSource(value = MapImpl.class, names = {"LIMIT_OPEN_KV", "LIMIT_OPEN_ENTRIES", "LIMIT_HAMT"})
  void agreesWithHashMapOnRandomSequentialAndCollidingKeys(MapImpl impl) {
    Map<Long, Long> map = impl.create();
    Map<Long, Long> model = new HashMap<>();
    Random random = new Random(17);
    for (int i = 0; i < 200_000; i++) {
      long k;
      switch (i % 3) {
        case 0: k = random.nextLong(); break;
        case 1: k = i; break;
        default: k = ((long) (i % 5000) << 32) | (i % 5000); // hashCode() == 0 for all of these
      }
      long v = random.nextLong();
      assertEquals(model.put(k, v), map.put(k, v), "put " + k);
    }
    for (Map.Entry<Long, Long> e : model.entrySet()) {
      assertEquals(e.getValue(), map.get(Long.valueOf(e.getKey().longValue())), "get " + e.getKey());
    }
    for (int i = 0; i < 10_000; i++) {
      long k = random.nextLong();
      if (!model.containsKey(k)) {
        assertNull(map.get(k), "absent " + k);
      }
    }
    assertThrows(UnsupportedOperationException.class, () -> map.remove(1L));
  }
}
