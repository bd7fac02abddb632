package dev.atoll.internal;

/**
 * Table sizing and argument checks shared by every structure, so that every constructor rejects
 * bad arguments the same way: an {@link IllegalArgumentException} whose message names the argument.
 */
public final class Sizing {
  /** The largest power-of-two table length an array can have. */
  public static final int MAX_TABLE = 1 << 30;

  private Sizing() {}

  /** Returns the smallest power of two {@code >= n}, at least 1 and at most {@link #MAX_TABLE}. */
  public static int ceilPowerOfTwo(int n) {
    if (n <= 1) {
      return 1;
    }
    if (n >= MAX_TABLE) {
      return MAX_TABLE;
    }
    return Integer.highestOneBit(n - 1) << 1;
  }

  /**
   * Returns the power-of-two table length that holds {@code expected} entries without exceeding the
   * load factor {@code loadFactor}, at least {@code min}.
   */
  public static int tableSizeFor(long expected, double loadFactor, int min) {
    long needed = (long) Math.ceil(expected / loadFactor);
    int size = needed >= MAX_TABLE ? MAX_TABLE : ceilPowerOfTwo((int) needed);
    return Math.max(size, ceilPowerOfTwo(min));
  }

  /** Checks {@code value >= 0}; the message names {@code name}. Returns {@code value}. */
  public static int checkNonNegative(int value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
    return value;
  }

  /** Checks {@code value > 0}; the message names {@code name}. Returns {@code value}. */
  public static int checkPositive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }

  /** Checks {@code value > 0}; the message names {@code name}. Returns {@code value}. */
  public static long checkPositive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
    return value;
  }

  /** Checks that {@code value} is a power of two {@code >= 1}; the message names {@code name}. */
  public static int checkPowerOfTwo(int value, String name) {
    if (value <= 0 || Integer.bitCount(value) != 1) {
      throw new IllegalArgumentException(name + " must be a power of two >= 1, was " + value);
    }
    return value;
  }

  /** Checks {@code 0 < value < 1}, as load factors are; the message names {@code name}. */
  public static double checkFraction(double value, String name) {
    if (!(value > 0.0 && value < 1.0)) {
      throw new IllegalArgumentException(name + " must be in (0, 1), was " + value);
    }
    return value;
  }

  /** A default shard or segment count: the number of processors times four, as a power of two. */
  public static int defaultShards() {
    return ceilPowerOfTwo(Runtime.getRuntime().availableProcessors() * 4);
  }
}
