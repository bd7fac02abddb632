package dev.atoll.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plain-Java sample computes what a sequential program would. */
class PlainJavaTest {
  @Test
  void parallelWordCountEqualsASequentialOne() throws Exception {
    Map<String, Integer> expected = new HashMap<>();
    for (String word : PlainJava.SAMPLE_TEXT.split("\\s+")) {
      expected.merge(word, 1000, Integer::sum);
    }
    assertEquals(expected, new HashMap<>(PlainJava.wordCount(PlainJava.SAMPLE_TEXT, 4)));
  }

  @Test
  void lockedReservationsNeverOversellAndLoseNothing() throws Exception {
    PlainJava.Reservations r = PlainJava.reserveStock(8, 10_000);
    assertEquals(10_000, r.reserved() + r.refused());
    assertEquals(800, r.reserved() + r.left(), r.toString());
    assertTrue(r.left() >= 0 && r.refused() > 0, r.toString()); // 10,000 attempts on 800 items
  }

  @Test
  void everySnapshotSeesOneOrTwoTokens() throws Exception {
    PlainJava.TokenReport t = PlainJava.tokenReport(100_000);
    assertTrue(t.snapshots() > 0);
    assertTrue(t.minTokens() >= 1 && t.maxTokens() <= 2, t.toString());
  }
}
