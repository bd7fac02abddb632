package dev.atoll.testkit;

/**
 * Seeds for randomised tests: {@code -Datoll.seed=N} replays a failure; otherwise a fresh seed is
 * drawn. Every randomised assertion message includes the seed via {@link #describe(long)}.
 */
public final class Seeds {
  private Seeds() {}

  /** The seed to use for one test: the {@code atoll.seed} system property or a new random one. */
  public static long next() {
    String fixed = System.getProperty("atoll.seed");
    if (fixed != null && !fixed.isEmpty()) {
      return Long.parseLong(fixed);
    }
    return System.nanoTime() * 0x9E3779B97F4A7C15L;
  }

  /** A message fragment that tells how to replay a failure. */
  public static String describe(long seed) {
    return "seed=" + seed + " (replay with -Datoll.seed=" + seed + ")";
  }
}
