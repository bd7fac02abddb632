package dev.atoll.map;

/**
 * The conditions under which the internal write procedures of {@link ChainedHashMap},
 * {@link HashTrieMap} and {@link HopscotchHashMap} (one for puts, one for removals) apply a write, and the key and value tests they
 * share. Each procedure reads a key's current value, asks {@link #holds} whether its condition
 * admits the write, and then writes or not atomically with that read. Not public.
 */
final class WriteCondition {
  private WriteCondition() {}

  /** Unconditional. */
  static final int ANY = 0;
  /** Only if the key is absent. */
  static final int ABSENT = 1;
  /** Only if the key is present. */
  static final int PRESENT = 2;
  /** Only if the current value {@code equals} the expected one. */
  static final int EQUAL = 3;
  /** Only if the current value is the expected instance (compute and merge). */
  static final int SAME = 4;

  /** Whether {@code stored} is the key {@code key}: the same instance, or {@code equals}. */
  static boolean same(Object key, Object stored) {
    return key == stored || key.equals(stored);
  }

  /** Whether a write under {@code condition} applies to a key whose value is {@code current}. */
  static boolean holds(int condition, Object expected, Object current) {
    switch (condition) {
      case ANY:
        return true;
      case ABSENT:
        return current == null;
      case PRESENT:
        return current != null;
      case EQUAL:
        return current != null && (current == expected || expected.equals(current));
      default: // SAME
        return current == expected;
    }
  }
}
