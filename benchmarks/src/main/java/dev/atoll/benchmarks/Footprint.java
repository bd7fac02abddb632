package dev.atoll.benchmarks;

import java.util.Locale;
import java.util.Map;
import org.openjdk.jol.info.GraphLayout;

/**
 * Memory per entry of each map with 1M Long→Long entries (JOL {@link GraphLayout}): the whole map
 * graph minus the key and value objects themselves. Prints {@code impl \t bytes-per-entry} lines
 * that {@link Report} reads.
 * Run with {@code -Djdk.attach.allowAttachSelf=true}.
 */
public final class Footprint {
  private Footprint() {}

  /** Measures every implementation, or those named as arguments. */
  public static void main(String[] args) {
    int n = 1_000_000;
    Long[] keys = new Long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = (long) i + 1_000_000; // outside the Long cache: every key and value is its own object
    }
    long keysAndValues = GraphLayout.parseInstance((Object[]) keys).totalSize()
        - GraphLayout.parseInstance(new Object[0]).totalSize() - 4L * n; // the Long objects only
    for (MapImpl impl : MapImpl.values()) {
      if (args.length > 0 && !java.util.Arrays.asList(args).contains(impl.name())) {
        continue;
      }
      Map<Long, Long> map = impl.create();
      for (Long k : keys) {
        map.put(k, k); // value == key object: counted once, subtracted once
      }
      if (map instanceof MapImpl.LeftRightAdapter) {
        ((MapImpl.LeftRightAdapter) map).flush();
      }
      long total = GraphLayout.parseInstance(map).totalSize();
      System.out.printf(Locale.ROOT, "%s\t%.1f%n", impl, (total - keysAndValues) / (double) n);
    }
  }
}
