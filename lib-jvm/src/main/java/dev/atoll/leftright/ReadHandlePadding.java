package dev.atoll.leftright;

/**
 * Cache-line padding around a {@link ReadHandle}'s epoch counter, which its reader writes on every
 * read and the writer polls during a publish: handles made one after another by one thread would
 * otherwise share cache lines (false sharing). Field layout follows the class hierarchy, so the
 * padding fields of the superclass and the subclass surround the counter.
 */
abstract class ReadHandlePadding {
  long p00, p01, p02, p03, p04, p05, p06, p07;

  /** The epoch counter (see {@link LeftRightMap}'s notes), between two paddings. */
  abstract static class Counter extends ReadHandlePadding {
    /** Even: outside; odd: reading. Written only by the owner thread. Through ReadHandle.EPOCH. */
    long epoch;
  }

  /** The padding after the counter. */
  abstract static class Padded extends Counter {
    long p10, p11, p12, p13, p14, p15, p16, p17;
  }
}
